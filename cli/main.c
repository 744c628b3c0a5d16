/* cli/main.c: xm's (and xl's) entry point.
 *
 *   xm [-N] [-h] <command> [args...]
 *
 * Reads the global options, finds the command in cmd_table, answers
 * `<command> -h/--help` from the table, and runs the command. Called as
 * xl (a symlink or a copy), it behaves the same and names itself xl. */
#include "cli/xm.h"
#include "config/cfg.h"
#include "proto/xend_proto.h"

#include <stdlib.h>
#include <string.h>

static void usage_short(const struct xm *xm, FILE *f)
{
	fprintf(f, "Usage: %s <subcommand> [args]\n\n"
		"Control, list, and manipulate Xen guest instances.\n\n"
		"'%s help' lists the subcommands; '%s help <subcommand>' or "
		"'%s <subcommand> --help' explains one.\n",
		xm->prog, xm->prog, xm->prog, xm->prog);
}

static int unknown_command(const struct xm *xm, const char *name)
{
	const char *names[256];
	const char *hint;
	unsigned i;

	for (i = 0; i < cmd_table_len && i < 255; i++)
		names[i] = cmd_table[i].name;
	names[i] = NULL;
	hint = cfg_closest(name, names);
	if (hint)
		fprintf(stderr, "%s: unknown command '%s' (did you mean '%s'?)\n",
			xm->prog, name, hint);
	else
		fprintf(stderr, "%s: unknown command '%s'; see '%s help'\n",
			xm->prog, name, xm->prog);
	return XM_USAGE;
}

static int run_command(struct xm *xm, int argc, char **argv)
{
	const struct cmd_spec *cmd = cmd_find(argv[0]);

	if (!cmd)
		return unknown_command(xm, argv[0]);
	if (cmd->fn != cmd_help && cmd_wants_help(argc - 1, argv + 1)) {
		cmd_print_usage(xm, cmd, stdout);
		return XM_OK;
	}
	if (xm->dry_run && !cmd->can_dryrun) {
		fprintf(stderr, "%s: command '%s' does not implement -N "
			"(dry run)\n", xm->prog, cmd->name);
		return XM_ERR;
	}
	return cmd->fn(xm, cmd, argc, argv);
}

int main(int argc, char **argv)
{
	struct xm xm = { .prog = "xm", .socket_path = XEND_SOCKET_PATH };
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
	const char *sock = getenv(XEND_SOCKET_ENV);
	int i = 1;

	base = base ? base + 1 : (argc > 0 ? argv[0] : "xm");
	if (strcmp(base, "xl") == 0)
		xm.prog = "xl";
	if (sock && *sock)
		xm.socket_path = sock;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-N")) {
			xm.dry_run = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			return cmd_help(&xm, cmd_find("help"), 1, argv + i);
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "-f")) {
			continue; /* xl's verbose and force: accepted */
		} else {
			fprintf(stderr, "%s: unknown option '%s'\n", xm.prog,
				argv[i]);
			usage_short(&xm, stderr);
			return XM_USAGE;
		}
	}
	if (i >= argc) {
		usage_short(&xm, stderr);
		return XM_USAGE;
	}
	return run_command(&xm, argc - i, argv + i);
}
