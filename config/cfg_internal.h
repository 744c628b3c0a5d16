/* config/cfg_internal.h: shared inside config/ only.
 *
 * The parse tree (cfg_parse.c) is a list of settings, each a name and a
 * value with the line and column where they were written. Values are
 * strings, integers or lists of values. The key table (cfg_keys.c) turns a
 * tree into a struct dom_config; cfg_check.c validates the whole. */
#ifndef KXEN_CONFIG_CFG_INTERNAL_H
#define KXEN_CONFIG_CFG_INTERNAL_H

#include "config/cfg.h"

#include <stdarg.h>

enum cfg_vtype {
	CFG_V_STRING,
	CFG_V_INT,
	CFG_V_LIST,
};

struct cfg_value {
	enum cfg_vtype type;
	int line;
	int col;
	char *s;     /* CFG_V_STRING */
	long long i; /* CFG_V_INT */
	struct cfg_value **items; /* CFG_V_LIST */
	size_t n_items;
};

struct cfg_setting {
	char *name;
	int line;
	int col;
	bool append; /* written with xl's '+=' */
	struct cfg_value *value;
};

struct cfg_tree {
	struct cfg_setting *settings;
	size_t n_settings;
};

#define CFG_MAX_NESTING 16
#define CFG_MAX_INPUT (1u << 20) /* config files are small */

/* Parse buf[0..len). On success *out is a tree freed by cfg_tree_free().
 * On a syntax error: -EINVAL and err set (file, line, col, phrase). */
__attribute__((warn_unused_result)) int
cfg_tree_parse(const char *file, const char *buf, size_t len,
	       struct cfg_tree **out, struct cfg_msg *err);
void cfg_tree_free(struct cfg_tree *t);
void cfg_value_free(struct cfg_value *v);
const char *cfg_vtype_name(enum cfg_vtype t);

/* Fill m; returns -EINVAL so callers can `return cfg_msg_set(...)`. */
int cfg_msg_set(struct cfg_msg *m, const char *file, int line, int col,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Append a warning; -ENOMEM if it cannot. */
int cfg_warn(struct cfg_diag *d, const char *file, int line, int col,
	     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Edit distance, for "did you mean". */
size_t cfg_levenshtein(const char *a, const char *b);
/* cfg_closest over any table: name_at(names, i) gives the i-th name and
 * NULL past the end. */
const char *cfg_closest_by(const char *word,
			   const char *(*name_at)(const void *, size_t),
			   const void *names);

/* Indexes of the per-option line numbers cfg_check reports. */
enum cfg_line_idx {
	CFG_L_NONE = -1,
	CFG_L_NAME,
	CFG_L_KERNEL,
	CFG_L_RAMDISK,
	CFG_L_MEMORY,
	CFG_L_MAXMEM,
	CFG_L_VCPUS,
	CFG_L_MAXVCPUS,
	CFG_L_CMDLINE,
	CFG_L_COUNT,
};

/* State while settings are applied to one config. */
struct cfg_apply {
	struct dom_config *c;
	struct cfg_diag *diag;
	const char *file;       /* names the source in messages */
	bool append;            /* command line: list options append */
	int lines[CFG_L_COUNT]; /* where those options were last set */
};

/* Apply one setting through the key table. Unknown names fail with a
 * suggestion; known-but-unsupported names add a warning. */
__attribute__((warn_unused_result)) int
cfg_apply_setting(struct cfg_apply *a, const struct cfg_setting *s);
/* Defaults before any setting is applied. */
void cfg_dom_defaults(struct dom_config *c);
/* Whole-config checks after every setting: -EINVAL with diag->error. */
__attribute__((warn_unused_result)) int
cfg_check(const struct cfg_apply *a, const struct cfg_host *host);

#endif
