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

/* Read one reply line from fd (until '\n', at most XEND_MSG_MAX bytes)
 * into *out (malloc'd, the caller frees; *len_out bytes, not
 * NUL-terminated). A file descriptor passed with it (SCM_RIGHTS) goes to
 * *fd_out (the caller closes it), else -1; only the first is kept, any
 * other is closed. 0; -ECONNRESET if the peer went away before the '\n';
 * -EMSGSIZE, -ENOMEM or recvmsg's error. On error nothing is left open
 * or allocated. */
__attribute__((warn_unused_result)) int
xend_recv_reply(int fd, char **out, size_t *len_out, int *fd_out);

/* Attach stdio to the console socket fd (owned: closed on return) until
 * it closes (the guest is gone) or, on a terminal, Ctrl-] is typed.
 * Puts a terminal stdin in raw mode and restores it on every way out,
 * including SIGINT, SIGTERM, SIGHUP and SIGQUIT, which are re-raised
 * afterwards. EOF on stdin ends only the input. XM_OK, or XM_ERR with a
 * message. */
int console_attach(const struct xm *xm, int fd);

/* The escape byte (Ctrl-]) that detaches a terminal from the console. */
#define CONSOLE_ESCAPE 0x1d

/* How many of buf[0..len) go to the guest before the escape byte: len
 * when there is none. */
size_t console_until_escape(const char *buf, size_t len);

#endif
