/* proto/xend_proto.c: encode xm's requests, decode xend's replies.
 *
 * The decoder is a small strict JSON reader for one object: it reads the
 * members it knows (version, status, output, error) and skips any other
 * value, nested up to JP_MAX_DEPTH. It never reads past len and needs no
 * NUL terminator. Pure functions: no I/O, no globals. */
#include "proto/xend_proto.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JP_MAX_DEPTH 32

static void json_escape(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

int xend_request_encode(const char *command, int argc, char *const *argv,
			const char *config_file, const char *config_json,
			char **out)
{
	size_t len = 0;
	FILE *f;

	*out = NULL;
	if (!command || !*command)
		return -EINVAL;
	f = open_memstream(out, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "{\"version\":%d,\"command\":", XEND_PROTO_VERSION);
	json_escape(f, command);
	fputs(",\"args\":[", f);
	for (int i = 0; i < argc; i++) {
		if (i)
			fputc(',', f);
		json_escape(f, argv[i]);
	}
	fputc(']', f);
	if (config_file) {
		fputs(",\"config_file\":", f);
		json_escape(f, config_file);
	}
	if (config_json)
		fprintf(f, ",\"config\":%s", config_json);
	fputs("}\n", f);
	if (fclose(f) != 0) {
		free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

struct jp {
	const char *s;
	size_t len;
	size_t pos;
};

static void jp_ws(struct jp *p)
{
	while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]) &&
	       p->s[p->pos])
		p->pos++;
}

static int jp_peek(struct jp *p)
{
	jp_ws(p);
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static bool jp_eat(struct jp *p, char c)
{
	if (jp_peek(p) != (unsigned char)c)
		return false;
	p->pos++;
	return true;
}

static int hex4(struct jp *p, unsigned *out)
{
	unsigned v = 0;

	if (p->len - p->pos < 4)
		return -EPROTO;
	for (int i = 0; i < 4; i++) {
		char c = p->s[p->pos++];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if ((c | 32) >= 'a' && (c | 32) <= 'f')
			v |= (unsigned)((c | 32) - 'a' + 10);
		else
			return -EPROTO;
	}
	*out = v;
	return 0;
}

static void put_utf8(FILE *f, unsigned cp)
{
	if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd; /* no NULs, no lone surrogates */
	if (cp < 0x80) {
		fputc((int)cp, f);
	} else if (cp < 0x800) {
		fputc((int)(0xc0 | cp >> 6), f);
		fputc((int)(0x80 | (cp & 0x3f)), f);
	} else if (cp < 0x10000) {
		fputc((int)(0xe0 | cp >> 12), f);
		fputc((int)(0x80 | ((cp >> 6) & 0x3f)), f);
		fputc((int)(0x80 | (cp & 0x3f)), f);
	} else {
		fputc((int)(0xf0 | cp >> 18), f);
		fputc((int)(0x80 | ((cp >> 12) & 0x3f)), f);
		fputc((int)(0x80 | ((cp >> 6) & 0x3f)), f);
		fputc((int)(0x80 | (cp & 0x3f)), f);
	}
}

static int jp_escape(struct jp *p, FILE *f)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *k;
	unsigned cp, lo;
	char c;

	if (p->pos >= p->len)
		return -EPROTO;
	c = p->s[p->pos++];
	k = c ? strchr(from, c) : NULL;
	if (k) {
		fputc(to[k - from], f);
		return 0;
	}
	if (c != 'u' || hex4(p, &cp))
		return -EPROTO;
	if (cp >= 0xd800 && cp < 0xdc00 && p->len - p->pos >= 6 &&
	    p->s[p->pos] == '\\' && p->s[p->pos + 1] == 'u') {
		p->pos += 2;
		if (hex4(p, &lo))
			return -EPROTO;
		if (lo >= 0xdc00 && lo <= 0xdfff)
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		else
			put_utf8(f, 0xfffd), cp = lo;
	}
	put_utf8(f, cp);
	return 0;
}

/* A JSON string; *out (malloc'd) may be NULL to skip it. */
static int jp_string(struct jp *p, char **out)
{
	char *buf = NULL;
	size_t blen = 0;
	FILE *f;
	int rc = 0;

	if (!jp_eat(p, '"'))
		return -EPROTO;
	f = open_memstream(&buf, &blen);
	if (!f)
		return -ENOMEM;
	for (;;) {
		unsigned char c;

		if (p->pos >= p->len) {
			rc = -EPROTO;
			break;
		}
		c = (unsigned char)p->s[p->pos++];
		if (c == '"')
			break;
		if (c < 0x20) {
			rc = -EPROTO;
			break;
		}
		if (c == '\\')
			rc = jp_escape(p, f);
		else
			fputc(c, f);
		if (rc)
			break;
	}
	if (fclose(f) != 0 && !rc)
		rc = -ENOMEM;
	if (rc || !out)
		free(buf);
	else
		*out = buf;
	return rc;
}

static int jp_int(struct jp *p, int *out)
{
	long v = 0;
	bool neg = jp_eat(p, '-');
	int digits = 0;

	while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
		v = v * 10 + (p->s[p->pos++] - '0');
		if (v > INT_MAX)
			return -EPROTO;
		digits++;
	}
	if (!digits)
		return -EPROTO;
	*out = neg ? (int)-v : (int)v;
	return 0;
}

static int jp_skip(struct jp *p, int depth);

static int jp_skip_container(struct jp *p, int depth, char close, bool obj)
{
	int rc = 0;

	p->pos++;
	if (jp_eat(p, close))
		return 0;
	do {
		if (obj && (rc = jp_string(p, NULL)) == 0 && !jp_eat(p, ':'))
			rc = -EPROTO;
		if (!rc)
			rc = jp_skip(p, depth + 1);
	} while (!rc && jp_eat(p, ','));
	if (!rc && !jp_eat(p, close))
		rc = -EPROTO;
	return rc;
}

static int jp_word(struct jp *p, const char *w)
{
	size_t n = strlen(w);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, w, n))
		return -EPROTO;
	p->pos += n;
	return 0;
}

static int jp_number(struct jp *p)
{
	size_t start = p->pos;

	while (p->pos < p->len && p->s[p->pos] &&
	       strchr("+-0123456789.eE", p->s[p->pos]))
		p->pos++;
	return p->pos > start ? 0 : -EPROTO;
}

/* Skip any JSON value. */
static int jp_skip(struct jp *p, int depth)
{
	int c = jp_peek(p);

	if (depth > JP_MAX_DEPTH)
		return -EPROTO;
	switch (c) {
	case '"': return jp_string(p, NULL);
	case '{': return jp_skip_container(p, depth, '}', true);
	case '[': return jp_skip_container(p, depth, ']', false);
	case 't': return jp_word(p, "true");
	case 'f': return jp_word(p, "false");
	case 'n': return jp_word(p, "null");
	default: return jp_number(p);
	}
}

static int reply_member(struct jp *p, const char *key, struct xend_reply *r,
			bool *has_status)
{
	char **field = NULL;

	if (!strcmp(key, "version"))
		return jp_int(p, &r->version);
	if (!strcmp(key, "status")) {
		*has_status = true;
		return jp_int(p, &r->status);
	}
	if (!strcmp(key, "output"))
		field = &r->output;
	else if (!strcmp(key, "error"))
		field = &r->error;
	else if (!strcmp(key, "fd"))
		field = &r->fd;
	if (!field || jp_peek(p) == 'n')
		return jp_skip(p, 1);
	free(*field);
	*field = NULL;
	return jp_string(p, field);
}

int xend_reply_decode(const char *buf, size_t len, struct xend_reply *out)
{
	struct jp p = { .s = buf, .len = len };
	struct xend_reply r = { 0 };
	bool has_status = false;
	int rc = 0;

	if (!jp_eat(&p, '{'))
		return -EPROTO;
	if (!jp_eat(&p, '}')) {
		do {
			char *key = NULL;

			rc = jp_string(&p, &key);
			if (!rc && !jp_eat(&p, ':'))
				rc = -EPROTO;
			if (!rc)
				rc = reply_member(&p, key, &r, &has_status);
			free(key);
		} while (!rc && jp_eat(&p, ','));
		if (!rc && !jp_eat(&p, '}'))
			rc = -EPROTO;
	}
	if (!rc && (jp_peek(&p) != -1 || !has_status))
		rc = -EPROTO;
	if (!rc && r.version > XEND_PROTO_VERSION)
		rc = -EPROTONOSUPPORT;
	if (rc) {
		xend_reply_clear(&r);
		return rc;
	}
	*out = r;
	return 0;
}

void xend_reply_clear(struct xend_reply *r)
{
	free(r->output);
	free(r->error);
	free(r->fd);
	memset(r, 0, sizeof(*r));
}
