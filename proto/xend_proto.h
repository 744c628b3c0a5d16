/* proto/xend_proto.h: the xm <-> xend request format, version 1.
 *
 * JSON over a Unix stream socket (default /run/xend/socket, mode 0600,
 * root). One request per connection: the client writes one JSON object
 * followed by '\n', xend answers with one JSON object followed by '\n'
 * and closes. Each message is at most XEND_MSG_MAX bytes. See
 * proto/README.md for the fields and the rules for changing them.
 *
 * Both ends (cli/ and toolstack/) and the fuzzers use it; it needs
 * jansson (-ljansson). */
#ifndef KXEN_PROTO_XEND_PROTO_H
#define KXEN_PROTO_XEND_PROTO_H

#include <stddef.h>

#define XEND_PROTO_VERSION 1
#define XEND_SOCKET_PATH "/run/xend/socket"
#define XEND_SOCKET_ENV "XEND_SOCKET" /* overrides the path (tests) */
#define XEND_MSG_MAX (1u << 20)

/* Build a request line (ending in '\n', NUL-terminated) into *out, which
 * the caller frees:
 *   {"version":1,"command":"<command>","args":[...],
 *    "config_file":"<path>","config":<config>}
 * config_file and config are left out when NULL; config is a JSON object
 * (cfg_json's), borrowed. 0, -EINVAL (command empty), -EILSEQ (a string
 * that is not UTF-8) or -ENOMEM. */
struct json_t;
__attribute__((warn_unused_result)) int
xend_request_encode(const char *command, int argc, char *const *argv,
		    const char *config_file, struct json_t *config,
		    char **out);

/* A decoded reply. output and error are malloc'd (or NULL). */
struct xend_reply {
	int version;
	int status; /* the exit status xm should give: 0, 1 or 2 */
	char *output; /* text for stdout */
	char *error;  /* message for stderr */
	char *fd;     /* what the passed fd is ("console"), or NULL */
};

/* Decode one reply from buf[0..len): one JSON object, nothing after it
 * but white space. Unknown members are skipped (newer xend); a reply whose
 * version is above ours is refused with -EPROTONOSUPPORT. 0, -EPROTO
 * (malformed, a member of the wrong type, status missing) or -ENOMEM. */
__attribute__((warn_unused_result)) int
xend_reply_decode(const char *buf, size_t len, struct xend_reply *out);
void xend_reply_clear(struct xend_reply *r);

#endif
