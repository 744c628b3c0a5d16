/* cli/cmd_help.c: `xm help [--long] [<subcommand>]`.
 *
 * Lists every command of the table by group with its one-line help, and
 * marks those kxen does not implement yet, so the list is honest. */
#include "cli/xm.h"

#include <string.h>

static void help_list(const struct xm *xm, bool long_form)
{
	const char *group = NULL;

	printf("Usage: %s <subcommand> [args]\n\n"
	       "Control, list, and manipulate Xen guest instances.\n",
	       xm->prog);
	for (unsigned i = 0; i < cmd_table_len; i++) {
		const struct cmd_spec *c = &cmd_table[i];

		if (!group || strcmp(group, c->group)) {
			group = c->group;
			printf("\n%s commands:\n", group);
		}
		printf(" %-16s %s%s\n", c->name, c->help,
		       c->kind == CMD_TODO ? " [not implemented yet]" : "");
		if (long_form && *c->usage)
			printf(" %-16s usage: %s %s %s\n", "", xm->prog,
			       c->name, c->usage);
	}
	printf("\n<Domain> can be the domain id or the name of a running "
	       "domain.\nGuest images and their configs: kxen-create-image "
	       "--help.\n");
}

int cmd_help(struct xm *xm, const struct cmd_spec *cmd, int argc,
	     char **argv)
{
	bool long_form = false, self = false;
	const char *topic = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--long") || !strcmp(argv[i], "-l"))
			long_form = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			self = true;
		else if (argv[i][0] == '-') {
			fprintf(stderr, "%s: help: unknown option '%s'\n",
				xm->prog, argv[i]);
			return XM_USAGE;
		} else if (argv[i][0] != '-')
			topic = argv[i];
	}
	if (!topic && self && cmd) {
		cmd_print_usage(xm, cmd, stdout);
		return XM_OK;
	}
	if (!topic) {
		help_list(xm, long_form);
		return XM_OK;
	}
	cmd = cmd_find(topic);
	if (!cmd) {
		fprintf(stderr, "%s: help: unknown command '%s'\n", xm->prog,
			topic);
		return XM_USAGE;
	}
	cmd_print_usage(xm, cmd, stdout);
	return XM_OK;
}
