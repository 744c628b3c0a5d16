/* cli/xm.h: shared inside cli/ (the xm / xl command).
 *
 * main.c reads the global options and looks the command up in the table
 * (cmdtable.c); each command is a cmd_<name> function. Commands either
 * run here (help, create -n), talk to xend over its socket (xend_client.c),
 * or, when no issue has brought them yet, say "not implemented yet" and
 * fail. Exit codes: XM_OK, XM_ERR, XM_USAGE. Only this layer prints. */
#ifndef KXEN_CLI_XM_H
#define KXEN_CLI_XM_H

#include <stdbool.h>
#include <stdio.h>

enum { XM_OK = 0, XM_ERR = 1, XM_USAGE = 2 };

struct xm {
	const char *prog;        /* "xm" or "xl", for messages */
	const char *socket_path; /* $XEND_SOCKET or /run/xend/socket */
	bool dry_run;            /* xl -N */
};

enum cmd_kind {
	CMD_LOCAL, /* runs in xm itself */
	CMD_XEND,  /* a request to xend */
	CMD_TODO,  /* no issue implements it yet: fails loudly */
};

struct cmd_spec;
typedef int cmd_fn(struct xm *xm, const struct cmd_spec *cmd, int argc,
		   char **argv);

struct cmd_spec {
	const char *name;
	cmd_fn *fn;
	enum cmd_kind kind;
	bool can_dryrun; /* honours -N / -n */
	bool modifies;   /* changes a domain or the host */
	const char *group;
	const char *usage; /* options and arguments after the name */
	const char *help;  /* one line */
	int min_operands;  /* arguments that are not options */
};

extern const struct cmd_spec cmd_table[];
extern const unsigned cmd_table_len;

/* The entry named name, or NULL. */
const struct cmd_spec *cmd_find(const char *name);
/* "Usage: xm <name> <usage>\n\n<help>" to f. */
void cmd_print_usage(const struct xm *xm, const struct cmd_spec *cmd,
		     FILE *f);
/* True if argv (after the name) asks for help (-h, --help). */
bool cmd_wants_help(int argc, char **argv);

cmd_fn cmd_help;
cmd_fn cmd_create;
cmd_fn cmd_new;
cmd_fn cmd_xend;   /* forwards the arguments to xend as they are */
cmd_fn cmd_todo;   /* "'<cmd>' is not implemented yet", exit 1 */

/* Send one request line to xend and print its reply. Returns the exit
 * code for xm (a connection failure prints the "xend is not running"
 * message and gives XM_ERR). */
int xend_run(const struct xm *xm, const char *request);

#endif
