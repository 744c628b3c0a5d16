/* toolstack/api.h: one xend request while it is handled (private to
 * toolstack/). The handler writes xm's stdout text to rq->out, an error
 * with api_fail(), and returns the xm status. */
#ifndef KXEN_TOOLSTACK_API_H
#define KXEN_TOOLSTACK_API_H

#include "toolstack/xend.h"

#include <stdarg.h>

struct api_req {
	int fd;
	json_t *root;
	const char *command;
	int argc;
	char **argv; /* borrowed from root; argv[argc] == NULL */
	json_t *config;
	const char *config_file;
	FILE *out;   /* output for xm's stdout */
	char *err;   /* malloc'd */
	int status;
	bool deferred; /* the reply is sent later (a waiter) */
	int pass_fd;   /* >= 0: sent with the reply (SCM_RIGHTS), "fd":"console" */
};

/* Reply, passing pass_fd (closed afterwards) when >= 0; closes fd. */
void api_reply_pass(int fd, int status, const char *output, const char *error,
		    int pass_fd);

int api_fail(struct api_req *rq, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Decode one request line into rq (rq->root owns the strings; the
 * caller frees rq->argv, rq->err and json_decref(rq->root)). 0, or the
 * status with rq->err set. */
int api_decode(struct api_req *rq, const char *line);
void api_dispatch(struct xend *x, struct api_req *rq);

/* A request handler: fills rq, returns the xm status. */
struct api_cmd {
	const char *name;
	int (*fn)(struct xend *x, struct api_req *rq);
};
/* api_devices.c's commands; ends with a NULL name. */
extern const struct api_cmd api_device_cmds[];
int api_defer(struct xend *x, struct api_req *rq, const unsigned *ids,
	      unsigned n);
void api_close_waiters(struct xend *x);

/* Options of one command: flags[i] = {short, long}; the flag of index i
 * sets bit i of *mask. Options with a value use "--opt=value" and land
 * in *value (one such option: val_opt). Other words go to pos[]. 0 or
 * status 2 (usage) with rq->err set. */
struct api_flag {
	const char *s, *l;
};
int api_args(struct api_req *rq, const struct api_flag *flags,
	     unsigned n_flags, unsigned *mask, const char *val_opt,
	     const char **value, const char **pos, int max_pos, int *n_pos);

#endif
