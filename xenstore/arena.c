/* xenstore/arena.c: bump allocator over a list of chunks (see arena.h).
 * The first chunk is kept across resets so a steady stream of small
 * requests does not touch malloc at all. */
#include "xenstore/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XARENA_CHUNK 8192

struct xarena_chunk {
	struct xarena_chunk *next;
	size_t size, off;
	_Alignas(16) unsigned char data[];
};

void xarena_init(struct xarena *a)
{
	a->head = NULL;
	a->used = 0;
}

void *xarena_alloc(struct xarena *a, size_t n)
{
	struct xarena_chunk *c = a->head;
	size_t need = (n + 15) & ~(size_t)15;

	if (need < n)
		return NULL;
	if (!c || c->size - c->off < need) {
		size_t size = need > XARENA_CHUNK ? need : XARENA_CHUNK;

		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->size = size;
		c->off = 0;
		/* A big one-off chunk goes behind the current one so the
		 * current chunk's free space is not wasted. */
		if (a->head && need > XARENA_CHUNK) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	c->off += need;
	a->used += need;
	return c->data + c->off - need;
}

char *xarena_strndup(struct xarena *a, const char *s, size_t n)
{
	char *p = xarena_alloc(a, n + 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xarena_printf(struct xarena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = xarena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void xarena_reset(struct xarena *a)
{
	struct xarena_chunk *c, *keep = NULL;

	while ((c = a->head)) {
		a->head = c->next;
		if (!keep && c->size == XARENA_CHUNK) {
			keep = c;
			continue;
		}
		free(c);
	}
	if (keep) {
		keep->off = 0;
		keep->next = NULL;
	}
	a->head = keep;
	a->used = 0;
}

void xarena_destroy(struct xarena *a)
{
	struct xarena_chunk *c;

	while ((c = a->head)) {
		a->head = c->next;
		free(c);
	}
	a->used = 0;
}
