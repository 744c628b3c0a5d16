/* toolstack/api_cmds.c: the xm commands xend answers, one handler each,
 * found by name in api_cmds[]. Commands no issue has brought yet answer
 * "not implemented yet" with status 1, never a silent success. */
#include "toolstack/api.h"
#include "lib/log.h"
#include "xenstore/xs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int api_args(struct api_req *rq, const struct api_flag *flags,
	     unsigned n_flags, unsigned *mask, const char *val_opt,
	     const char **value, const char **pos, int max_pos, int *n_pos)
{
	size_t vlen = val_opt ? strlen(val_opt) : 0;

	*n_pos = 0;
	for (int i = 0; i < rq->argc; i++) {
		const char *a = rq->argv[i];
		unsigned f;

		if (a[0] != '-' || !a[1]) {
			if (*n_pos >= max_pos)
				return api_fail(rq, 2, "%s: too many arguments",
						rq->command);
			pos[(*n_pos)++] = a;
			continue;
		}
		if (val_opt && !strncmp(a, val_opt, vlen) && a[vlen] == '=') {
			*value = a + vlen + 1;
			continue;
		}
		if (val_opt && !strcmp(a, val_opt) && i + 1 < rq->argc) {
			*value = rq->argv[++i];
			continue;
		}
		for (f = 0; f < n_flags; f++) {
			if ((flags[f].s && !strcmp(a, flags[f].s)) ||
			    (flags[f].l && !strcmp(a, flags[f].l)))
				break;
		}
		if (f == n_flags)
			return api_fail(rq, 2, "%s: unknown option '%s'",
					rq->command, a);
		*mask |= 1u << f;
	}
	return 0;
}

/* The one domain argument of a command ("<Domain>" plus n_extra more). */
static struct domain *one_domain(struct xend *x, struct api_req *rq,
				 const char **extra, int n_extra)
{
	const char *pos[4];
	unsigned mask = 0;
	struct domain *d;
	int n;

	if (api_args(rq, NULL, 0, &mask, NULL, NULL, pos, 1 + n_extra, &n))
		return NULL;
	if (n != 1 + n_extra) {
		api_fail(rq, 2, "%s: expected %d argument%s", rq->command,
			 1 + n_extra, n_extra ? "s" : "");
		return NULL;
	}
	for (int i = 0; i < n_extra; i++)
		extra[i] = pos[1 + i];
	if (!strcmp(pos[0], "0") || !strcmp(pos[0], "Domain-0")) {
		api_fail(rq, 1, "%s: not possible on Domain-0 (the host)",
			 rq->command);
		return NULL;
	}
	d = dom_lookup(x, pos[0]);
	if (!d)
		api_fail(rq, 1, "domain '%s' does not exist", pos[0]);
	return d;
}

/* Attach rq's client to d's console: the connected console socket goes
 * with the reply (SCM_RIGHTS, "fd":"console"; proto/README.md's plan). */
static int attach_console(struct api_req *rq, struct domain *d)
{
	int fd, rc;

	if (d->state != DOM_RUNNING)
		return api_fail(rq, 1, "domain '%s' is not running", d->name);
	rc = mon_console(d, &fd);
	if (rc)
		return api_fail(rq, 1, "cannot reach the console of '%s': %s",
				d->name, strerror(-rc));
	rq->pass_fd = fd;
	return 0;
}

static int cmd_console(struct xend *x, struct api_req *rq)
{
	static const struct api_flag fl[] = { { "-q", "--quiet" } };
	const char *pos[1];
	unsigned mask = 0;
	struct domain *d;
	int n;

	if (api_args(rq, fl, 1, &mask, NULL, NULL, pos, 1, &n))
		return rq->status;
	if (n != 1)
		return api_fail(rq, 2, "console: expected one domain");
	d = dom_lookup(x, pos[0]);
	if (!d)
		return api_fail(rq, 1, "domain '%s' does not exist", pos[0]);
	return attach_console(rq, d);
}

/* Answer the client waiting for d's start (if any). */
void api_start_done(struct xend *x, struct domain *d, const char *err)
{
	struct api_req rq = { .fd = d->reply_fd, .pass_fd = -1 };
	char *out = NULL;

	(void)x;
	d->reply_fd = -1;
	if (rq.fd < 0)
		return;
	if (err) {
		api_reply_fd(rq.fd, 1, NULL, err);
		return;
	}
	out = xend_strdup_printf("Started domain %s (id=%u)\n", d->name,
				 d->domid);
	if (d->start_console)
		attach_console(&rq, d);
	api_reply_pass(rq.fd, rq.status, out, rq.err, rq.pass_fd);
	free(out);
	free(rq.err);
}

/* Park the client until d has started (api_start_done). */
static int wait_start(struct api_req *rq, struct domain *d, bool console)
{
	d->reply_fd = rq->fd;
	d->start_console = console;
	rq->deferred = true;
	return 0;
}

static int cmd_create(struct xend *x, struct api_req *rq)
{
	static const struct api_flag fl[] = { { "-c", NULL }, { "-p", NULL } };
	const char *pos[1];
	unsigned mask = 0;
	struct domain *d;
	char *msg = NULL;
	int n, rc;

	if (api_args(rq, fl, 2, &mask, NULL, NULL, pos, 0, &n))
		return rq->status;
	rc = dom_create(x, rq->config, rq->config_file, mask & 2, &d, &msg);
	if (rc) {
		api_fail(rq, rc, "%s", msg ? msg : "create failed");
		free(msg);
		return rc;
	}
	return wait_start(rq, d, mask & 1);
}

static int cmd_destroy(struct xend *x, struct api_req *rq)
{
	struct domain *d = one_domain(x, rq, NULL, 0);
	char *msg = NULL;

	if (!d)
		return rq->status;
	return dom_destroy(x, d, &msg);
}

/* shutdown and reboot: write control/shutdown, maybe wait. */
static int do_shutdown(struct xend *x, struct api_req *rq, const char *how)
{
	static const struct api_flag fl[] = {
		{ "-w", "--wait" }, { "-a", "--all" }, { "-H", "--halt" },
		{ "-R", "--reboot" },
	};
	unsigned mask = 0, ids[256], n_ids = 0;
	struct domain *target = NULL;
	const char *pos[1];
	char err[160];
	struct xs_handle *xs;
	int n, rc;

	if (api_args(rq, fl, 4, &mask, NULL, NULL, pos, 1, &n))
		return rq->status;
	if (mask & 4)
		how = "halt";
	if (mask & 8)
		how = "reboot";
	if ((mask & 2) ? n != 0 : n != 1)
		return api_fail(rq, 2, "%s: give one domain, or -a", rq->command);
	if (!(mask & 2)) {
		if (!strcmp(pos[0], "0") || !strcmp(pos[0], "Domain-0"))
			return api_fail(rq, 1, "%s: not possible on Domain-0 "
					"(the host)", rq->command);
		target = dom_lookup(x, pos[0]);
		if (!target)
			return api_fail(rq, 1, "domain '%s' does not exist",
					pos[0]);
	}
	xs = xend_xs(x, err, sizeof(err));
	if (!xs)
		return api_fail(rq, 1, "%s", err);
	for (struct domain *d = x->domains; d && n_ids < 256; d = d->next) {
		if (d->state != DOM_RUNNING || (target && d != target))
			continue;
		rc = layout_control(xs, d->domid, "shutdown", how);
		if (rc) {
			xend_xs_drop(x);
			return api_fail(rq, 1, "cannot write control/shutdown of "
					"'%s': %s", d->name, strerror(-rc));
		}
		log_info("d%u (%s): asked to %s", d->domid, d->name, how);
		ids[n_ids++] = d->domid;
	}
	if ((mask & 1) && n_ids)
		return api_defer(x, rq, ids, n_ids);
	return 0;
}

static int cmd_shutdown(struct xend *x, struct api_req *rq)
{
	return do_shutdown(x, rq, "poweroff");
}

static int cmd_reboot(struct xend *x, struct api_req *rq)
{
	return do_shutdown(x, rq, "reboot");
}

static int pause_op(struct xend *x, struct api_req *rq, const char *op)
{
	struct domain *d = one_domain(x, rq, NULL, 0);
	int rc;

	if (!d)
		return rq->status;
	if (d->state != DOM_RUNNING)
		return api_fail(rq, 1, "domain '%s' is not running", d->name);
	rc = mon_ctl(d, op, NULL);
	if (rc)
		return api_fail(rq, 1, "cannot %s '%s': %s", op, d->name,
				strerror(-rc));
	log_info("d%u (%s): %sd", d->domid, d->name, op);
	return 0;
}

static int cmd_pause(struct xend *x, struct api_req *rq)
{
	return pause_op(x, rq, "pause");
}

static int cmd_unpause(struct xend *x, struct api_req *rq)
{
	return pause_op(x, rq, "unpause");
}

static int cmd_domid(struct xend *x, struct api_req *rq)
{
	struct domain *d;

	if (rq->argc != 1)
		return api_fail(rq, 2, "domid: expected a domain name");
	if (!strcmp(rq->argv[0], "Domain-0")) {
		fprintf(rq->out, "0\n");
		return 0;
	}
	d = dom_find_name(x, rq->argv[0]);
	if (!d)
		return api_fail(rq, 1, "domain '%s' does not exist",
				rq->argv[0]);
	fprintf(rq->out, "%u\n", d->domid);
	return 0;
}

static int cmd_domname(struct xend *x, struct api_req *rq)
{
	struct domain *d;

	if (rq->argc != 1)
		return api_fail(rq, 2, "domname: expected a domain id");
	if (!strcmp(rq->argv[0], "0")) {
		fprintf(rq->out, "Domain-0\n");
		return 0;
	}
	d = dom_lookup(x, rq->argv[0]);
	if (!d || strcmp(rq->argv[0], d->name) == 0)
		return api_fail(rq, 1, "domain id '%s' does not exist",
				rq->argv[0]);
	fprintf(rq->out, "%s\n", d->name);
	return 0;
}

static int cmd_rename(struct xend *x, struct api_req *rq)
{
	const char *name;
	struct domain *d = one_domain(x, rq, &name, 1);
	char *msg = NULL;
	int rc;

	if (!d)
		return rq->status;
	if (d->state == DOM_STARTING)
		return api_fail(rq, 1, "domain '%s' is starting", d->name);
	rc = dom_rename(x, d, name, &msg);
	if (rc)
		api_fail(rq, rc, "%s", msg ? msg : "rename failed");
	free(msg);
	return rc;
}

static int cmd_sysrq(struct xend *x, struct api_req *rq)
{
	const char *key;
	struct domain *d = one_domain(x, rq, &key, 1);
	char err[160];
	struct xs_handle *xs;
	int rc;

	if (!d)
		return rq->status;
	if (strlen(key) != 1)
		return api_fail(rq, 2, "sysrq: the key is one letter");
	if (d->state != DOM_RUNNING)
		return api_fail(rq, 1, "domain '%s' is not running", d->name);
	xs = xend_xs(x, err, sizeof(err));
	if (!xs)
		return api_fail(rq, 1, "%s", err);
	rc = layout_control(xs, d->domid, "sysrq", key);
	if (rc) {
		xend_xs_drop(x);
		return api_fail(rq, 1, "cannot write control/sysrq: %s",
				strerror(-rc));
	}
	return 0;
}

static int cmd_list(struct xend *x, struct api_req *rq)
{
	return show_list(x, rq->argc, rq->argv, rq->out, &rq->err);
}

static int cmd_uptime(struct xend *x, struct api_req *rq)
{
	return show_uptime(x, rq->argc, rq->argv, rq->out, &rq->err);
}

static int cmd_vcpu_list(struct xend *x, struct api_req *rq)
{
	return show_vcpu_list(x, rq->argc, rq->argv, rq->out, &rq->err);
}

static int cmd_info(struct xend *x, struct api_req *rq)
{
	return show_info(x, rq->out);
}

static int cmd_log(struct xend *x, struct api_req *rq)
{
	return show_log(x, rq->out);
}

static int cmd_dmesg(struct xend *x, struct api_req *rq)
{
	bool clear = rq->argc == 1 && (!strcmp(rq->argv[0], "-c") ||
				       !strcmp(rq->argv[0], "--clear"));

	if (rq->argc > 1 || (rq->argc == 1 && !clear))
		return api_fail(rq, 2, "dmesg: usage: dmesg [-c|--clear]");
	return show_dmesg(x, clear, rq->out);
}

static int cmd_new(struct xend *x, struct api_req *rq)
{
	char *msg = NULL;
	int rc = managed_new(x, rq->config, rq->config_file, &msg);

	if (rc)
		api_fail(rq, rc, "%s", msg ? msg : "new failed");
	else if (msg)
		fputs(msg, rq->out);
	free(msg);
	return rc;
}

static int cmd_start(struct xend *x, struct api_req *rq)
{
	static const struct api_flag fl[] = {
		{ "-p", "--paused" }, { "-c", "--console_autoconnect" },
	};
	const char *pos[1];
	unsigned mask = 0;
	struct domain *d = NULL;
	char *msg = NULL;
	int n, rc;

	if (api_args(rq, fl, 2, &mask, NULL, NULL, pos, 1, &n))
		return rq->status;
	if (n != 1)
		return api_fail(rq, 2, "start: expected a domain name");
	rc = managed_start(x, pos[0], mask & 1, &d, &msg);
	if (rc)
		api_fail(rq, rc, "%s", msg ? msg : "start failed");
	else
		rc = wait_start(rq, d, mask & 2);
	free(msg);
	return rc;
}

static int cmd_delete(struct xend *x, struct api_req *rq)
{
	char *msg = NULL;
	int rc;

	if (rq->argc != 1)
		return api_fail(rq, 2, "delete: expected a domain name");
	rc = managed_delete(x, rq->argv[0], &msg);
	if (rc)
		api_fail(rq, rc, "%s", msg ? msg : "delete failed");
	free(msg);
	return rc;
}

static const struct api_cmd api_cmds[] = {
	{ "create", cmd_create },
	{ "console", cmd_console },
	{ "destroy", cmd_destroy },
	{ "shutdown", cmd_shutdown },
	{ "reboot", cmd_reboot },
	{ "pause", cmd_pause },
	{ "unpause", cmd_unpause },
	{ "domid", cmd_domid },
	{ "domname", cmd_domname },
	{ "rename", cmd_rename },
	{ "sysrq", cmd_sysrq },
	{ "list", cmd_list },
	{ "uptime", cmd_uptime },
	{ "vcpu-list", cmd_vcpu_list },
	{ "info", cmd_info },
	{ "log", cmd_log },
	{ "dmesg", cmd_dmesg },
	{ "new", cmd_new },
	{ "start", cmd_start },
	{ "delete", cmd_delete },
};

void api_dispatch(struct xend *x, struct api_req *rq)
{
	for (size_t i = 0; i < sizeof(api_cmds) / sizeof(*api_cmds); i++) {
		if (!strcmp(api_cmds[i].name, rq->command)) {
			rq->status = api_cmds[i].fn(x, rq);
			return;
		}
	}
	for (const struct api_cmd *c = api_device_cmds; c->name; c++) {
		if (!strcmp(c->name, rq->command)) {
			rq->status = c->fn(x, rq);
			return;
		}
	}
	api_fail(rq, 1, "%s: not implemented yet", rq->command);
}
