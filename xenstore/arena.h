/* xenstore/arena.h: per-request scratch memory.
 *
 * Every request gets one arena; everything a handler allocates for the
 * request (split arguments, reply text, event lists) comes from it and is
 * released in one place, xarena_reset(), after the reply is queued.
 * Allocation failure returns NULL; callers turn it into ENOMEM. */
#ifndef KXEN_XENSTORE_ARENA_H
#define KXEN_XENSTORE_ARENA_H

#include <stddef.h>

struct xarena_chunk;

struct xarena {
	struct xarena_chunk *head;
	size_t used;  /* bytes handed out since the last reset, for limits */
};

void xarena_init(struct xarena *a);
/* n bytes, 16-byte aligned, valid until the next reset; NULL on failure. */
void *xarena_alloc(struct xarena *a, size_t n);
/* A NUL-terminated copy of n bytes of s. */
char *xarena_strndup(struct xarena *a, const char *s, size_t n);
char *xarena_printf(struct xarena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Free everything but keep the first chunk for the next request. */
void xarena_reset(struct xarena *a);
void xarena_destroy(struct xarena *a);

#endif
