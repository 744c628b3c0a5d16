/* proto/xend_proto.c: encode xm's requests, decode xend's replies, with
 * jansson. The decoder takes the members it knows (version, status,
 * output, error, fd), checks their types and ignores the rest. Pure
 * functions: no I/O, no globals. */
#include "proto/xend_proto.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

int xend_request_encode(const char *command, int argc, char *const *argv,
			const char *config_file, json_t *config, char **out)
{
	json_t *o, *args = json_array();
	char *s;
	int rc = 0;

	*out = NULL;
	if (!command || !*command || !args) {
		json_decref(args);
		return !args ? -ENOMEM : -EINVAL;
	}
	for (int i = 0; !rc && i < argc; i++) {
		json_t *a = json_string(argv[i]);

		rc = !a ? -EILSEQ : json_array_append_new(args, a) ? -ENOMEM : 0;
	}
	if (rc) {
		json_decref(args);
		return rc;
	}
	/* s* and O* leave out NULLs; o steals args. A string that is not
	 * UTF-8 makes json_pack fail. */
	o = json_pack("{s:i, s:s, s:o, s:s*, s:O*}", "version",
		      XEND_PROTO_VERSION, "command", command, "args", args,
		      "config_file", config_file, "config", config);
	if (!o)
		return -EILSEQ;
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!s)
		return -ENOMEM;
	*out = malloc(strlen(s) + 2);
	if (*out) {
		strcpy(*out, s);
		strcat(*out, "\n");
	}
	free(s);
	return *out ? 0 : -ENOMEM;
}

/* *field = a copy of o's string member key; absent or null leaves NULL. */
static int take_str(json_t *o, const char *key, char **field)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -EPROTO;
	*field = strdup(json_string_value(v));
	return *field ? 0 : -ENOMEM;
}

static int take_int(json_t *o, const char *key, int *n)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < INT_MIN ||
	    json_integer_value(v) > INT_MAX)
		return -EPROTO;
	*n = (int)json_integer_value(v);
	return 0;
}

int xend_reply_decode(const char *buf, size_t len, struct xend_reply *out)
{
	struct xend_reply r = { 0 };
	json_t *o = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
	int rc = json_is_object(o) ? 0 : -EPROTO;

	if (!rc && json_object_get(o, "version"))
		rc = take_int(o, "version", &r.version);
	rc = rc ?: take_int(o, "status", &r.status) ?:
	     take_str(o, "output", &r.output) ?:
	     take_str(o, "error", &r.error) ?: take_str(o, "fd", &r.fd);
	if (!rc && r.version > XEND_PROTO_VERSION)
		rc = -EPROTONOSUPPORT;
	json_decref(o);
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
