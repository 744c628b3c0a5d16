/* xenstore/control.c: XS_CONTROL commands (xenstore-control), a table as
 * in Xen's do_control: {name, handler, help}. */
#include "xenstore/xenstored.h"
#include "lib/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct control_cmd {
	const char *name;
	int (*fn)(struct conn *c, const char **argv, unsigned argc,
		  struct xarena *a, const char **reply);
	const char *help;
};

static int ctl_check(struct conn *c, const char **argv, unsigned argc,
		     struct xarena *a, const char **reply)
{
	(void)c, (void)argv, (void)argc, (void)a;
	*reply = "OK";
	return 0;
}

static int ctl_log(struct conn *c, const char **argv, unsigned argc,
		   struct xarena *a, const char **reply)
{
	int level;

	(void)c, (void)a;
	if (argc != 2)
		return -EINVAL;
	level = log_level_parse(argv[1]);
	if (level < 0)
		level = strcmp(argv[1], "on") == 0 ? LOG_LEVEL_DEBUG :
			strcmp(argv[1], "off") == 0 ? LOG_LEVEL_WARN : -1;
	if (level < 0)
		return -EINVAL;
	log_set_level(level);
	*reply = "OK";
	return 0;
}

static int ctl_print(struct conn *c, const char **argv, unsigned argc,
		     struct xarena *a, const char **reply)
{
	(void)c, (void)a;
	if (argc != 2)
		return -EINVAL;
	log_info("control: %s", argv[1]);
	*reply = "OK";
	return 0;
}

static int ctl_quota(struct conn *c, const char **argv, unsigned argc,
		     struct xarena *a, const char **reply)
{
	const struct store_quota *q = &c->x->q;

	(void)argv;
	if (argc != 1)
		return -EINVAL;
	*reply = xarena_printf(a,
		"Nodes per domain:        %u\n"
		"Entry size:              %u\n"
		"Permissions per node:    %u\n"
		"Path length:             %u\n"
		"Watches per domain:      %u\n"
		"Transactions per domain: %u\n"
		"Nodes per transaction:   %u\n"
		"Outstanding requests:    %u\n",
		q->nodes, q->node_size, q->perms, q->path_len, q->watches,
		q->txns, q->txn_nodes, q->outstanding);
	return *reply ? 0 : -ENOMEM;
}

static int ctl_memreport(struct conn *c, const char **argv, unsigned argc,
			 struct xarena *a, const char **reply)
{
	(void)argv, (void)argc;
	*reply = xarena_printf(a, "nodes: %u\n", store_node_count(c->x->st));
	return *reply ? 0 : -ENOMEM;
}

/* xenstore-control live-update sends "-f file", "-b ..." and "-s" steps;
 * only "-s" acts: the daemon restarts itself (from -f's file if given)
 * once this reply is out, keeping its sockets, connections and watches. */
static int ctl_live_update(struct conn *c, const char **argv, unsigned argc,
			   struct xarena *a, const char **reply)
{
	(void)a;
	for (unsigned i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-s") == 0) {
			c->x->live_update = true;
		} else if (strcmp(argv[i], "-a") == 0) {
			c->x->live_update = false;
		} else if (strcmp(argv[i], "-f") == 0 && i + 1 < argc) {
			/* the binary to run instead of ourselves */
			snprintf(c->x->lu_binary, sizeof(c->x->lu_binary),
				 "%s", argv[++i]);
		}
	}
	*reply = "OK";
	return 0;
}

static int ctl_help(struct conn *c, const char **argv, unsigned argc,
		    struct xarena *a, const char **reply);

static const struct control_cmd control_cmds[] = {
	{ "check", ctl_check, "check: verify the store (always OK)" },
	{ "help", ctl_help, "help: this list" },
	{ "live-update", ctl_live_update, "live-update [-s]: restart in place" },
	{ "log", ctl_log, "log error|warn|info|debug|on|off" },
	{ "memreport", ctl_memreport, "memreport: node count" },
	{ "print", ctl_print, "print <string>: log it" },
	{ "quota", ctl_quota, "quota: show the limits" },
};

#define NCMDS (sizeof(control_cmds) / sizeof(control_cmds[0]))

static int ctl_help(struct conn *c, const char **argv, unsigned argc,
		    struct xarena *a, const char **reply)
{
	char *buf = xarena_alloc(a, 1024), *p = buf;

	(void)c, (void)argv, (void)argc;
	if (!buf)
		return -ENOMEM;
	*p = '\0';
	for (size_t i = 0; i < NCMDS; i++)
		p += snprintf(p, 1024 - (size_t)(p - buf), "%s\n",
			      control_cmds[i].help);
	*reply = buf;
	return 0;
}

int control_run(struct conn *c, const char **argv, unsigned argc,
		struct xarena *a, const char **reply, uint32_t *len)
{
	for (size_t i = 0; i < NCMDS; i++) {
		int rc;

		if (strcmp(argv[0], control_cmds[i].name) != 0)
			continue;
		rc = control_cmds[i].fn(c, argv, argc, a, reply);
		if (!rc)
			*len = (uint32_t)strlen(*reply) + 1;
		return rc;
	}
	return -EINVAL;
}
