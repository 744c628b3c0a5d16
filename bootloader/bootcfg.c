/* bootloader/bootcfg.c: grub.cfg and extlinux.conf parsers (see bootcfg.h).
 *
 * GRUB 2: the file is a script. We lex it as grub does (words, '...' and
 * "..." quoting, backslash escapes, $var and ${var} expansion, commands
 * ended by newline or ';') and interpret only what a boot menu needs:
 * menuentry and submenu blocks, linux/initrd inside entries, and `set`
 * (and name=value) for variables, `set default=` in particular. Both arms
 * of an if run, so the last assignment wins; an assignment that expands to
 * "" (default="${saved_entry}") is ignored for default. Function bodies
 * are skipped. Nothing is executed.
 *
 * extlinux: one keyword per line (case-insensitive): DEFAULT, LABEL,
 * KERNEL/LINUX, APPEND (its initrd= goes to the initrds), INITRD,
 * MENU LABEL, MENU DEFAULT. */
#include "bootloader/bootcfg.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORDS 512
#define MAX_VARS 64
#define MAX_WORD (64 * 1024)

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* --- growable string ------------------------------------------------------ */
struct sb {
	char *p;
	size_t n, cap;
	bool oom;
};

static void sb_putc(struct sb *s, char c)
{
	if (s->oom)
		return;
	if (s->n + 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char *p;

		if (cap > MAX_WORD + 2) {
			if (s->n + 2 > MAX_WORD + 2) {
				s->oom = true; /* overlong: treated as too big */
				return;
			}
			cap = MAX_WORD + 2;
		}
		p = realloc(s->p, cap);
		if (!p) {
			s->oom = true;
			return;
		}
		s->p = p;
		s->cap = cap;
	}
	s->p[s->n++] = c;
	s->p[s->n] = 0;
}

static void sb_puts(struct sb *s, const char *str)
{
	while (*str)
		sb_putc(s, *str++);
}

/* Take the string out of s (never NULL unless out of memory). */
static char *sb_take(struct sb *s)
{
	char *p = s->p;

	if (s->oom) {
		free(p);
		p = NULL;
	} else if (!p) {
		p = strdup("");
	}
	s->p = NULL;
	s->n = s->cap = 0;
	s->oom = false;
	return p;
}

/* --- entries ---------------------------------------------------------------- */
void bootcfg_free(struct bootcfg *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		struct boot_entry *e = &c->entries[i];

		free(e->title);
		free(e->id);
		free(e->kernel);
		for (size_t j = 0; j < e->n_initrd; j++)
			free(e->initrd[j]);
		free(e->args);
	}
	free(c->entries);
	free(c->default_entry);
	memset(c, 0, sizeof(*c));
}

static struct boot_entry *new_entry(struct bootcfg *c, const char *title)
{
	struct boot_entry *e;

	if (c->n >= BOOTCFG_MAX_ENTRIES)
		return NULL;
	e = realloc(c->entries, (c->n + 1) * sizeof(*e));
	if (!e)
		return NULL;
	c->entries = e;
	e = &c->entries[c->n];
	memset(e, 0, sizeof(*e));
	e->title = strdup(title ? title : "");
	e->args = strdup("");
	if (!e->title || !e->args) {
		free(e->title);
		free(e->args);
		return NULL;
	}
	c->n++;
	return e;
}

static int set_str(char **dst, const char *val)
{
	char *p = strdup(val);

	if (!p)
		return -ENOMEM;
	free(*dst);
	*dst = p;
	return 0;
}

/* "(hd0,msdos1)/boot/x" -> "/boot/x"; NULL unless the result is absolute. */
static char *guest_path(const char *w, const char *base)
{
	char *p;

	if (w[0] == '(') { /* a device: up to the ')' before the first '/' */
		const char *slash = strchr(w, '/');

		if (!slash || slash[-1] != ')')
			return NULL;
		w = slash;
	}
	if (!*w)
		return NULL;
	if (w[0] == '/')
		return strdup(w);
	if (!base)
		return NULL;
	if (asprintf(&p, "%s/%s", strcmp(base, "/") ? base : "", w) < 0)
		return NULL;
	return p;
}

static int add_initrd(struct boot_entry *e, const char *w, const char *base)
{
	char *p;

	if (e->n_initrd >= BOOTCFG_MAX_INITRDS)
		return -E2BIG;
	p = guest_path(w, base);
	if (!p)
		return -EINVAL;
	e->initrd[e->n_initrd++] = p;
	return 0;
}

static void clear_initrds(struct boot_entry *e)
{
	for (size_t j = 0; j < e->n_initrd; j++)
		free(e->initrd[j]);
	e->n_initrd = 0;
}

/* --- GRUB 2 -------------------------------------------------------------- */
struct var {
	char *name, *val;
};

enum blk { BLK_TOP, BLK_SUBMENU, BLK_ENTRY, BLK_SKIP };

struct grub {
	const char *p, *end;
	int line;
	struct var vars[MAX_VARS];
	size_t n_vars;
	struct bootcfg *c;
	/* block stack: [0] is the file */
	struct {
		enum blk kind;
		int children;
		char path[32];
		size_t e_idx; /* BLK_ENTRY: its index in c->entries */
	} blk[BOOTCFG_MAX_DEPTH + 8];
	int depth;
	char *words[MAX_WORDS];
	size_t n_words;
};

static const char *var_get(const struct grub *g, const char *name)
{
	/* Debian's menuentry lines use it before `--id` is known to work. */
	if (!strcmp(name, "menuentry_id_option"))
		return "--id";
	for (size_t i = 0; i < g->n_vars; i++)
		if (!strcmp(g->vars[i].name, name))
			return g->vars[i].val;
	return "";
}

static int var_set(struct grub *g, const char *name, const char *val)
{
	size_t i;

	for (i = 0; i < g->n_vars; i++)
		if (!strcmp(g->vars[i].name, name))
			return set_str(&g->vars[i].val, val);
	if (g->n_vars >= MAX_VARS)
		return 0; /* forgotten: a menu needs few */
	g->vars[i].name = strdup(name);
	g->vars[i].val = strdup(val);
	if (!g->vars[i].name || !g->vars[i].val) {
		free(g->vars[i].name);
		free(g->vars[i].val);
		return -ENOMEM;
	}
	g->n_vars++;
	return 0;
}

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* At '$': expand into s. */
static void expand(struct grub *g, struct sb *s)
{
	char name[64];
	size_t n = 0;

	g->p++; /* '$' */
	if (g->p < g->end && *g->p == '{') {
		const char *q = g->p + 1;

		while (q < g->end && *q != '}' && *q != '\n')
			q++;
		if (q >= g->end || *q != '}') {
			sb_putc(s, '$'); /* not a variable: literal */
			return;
		}
		n = (size_t)(q - (g->p + 1));
		if (n >= sizeof(name))
			n = sizeof(name) - 1;
		memcpy(name, g->p + 1, n);
		g->p = q + 1;
	} else {
		while (g->p < g->end && name_char(*g->p) && n < sizeof(name) - 1)
			name[n++] = *g->p++;
		if (!n) {
			if (g->p < g->end && (*g->p == '?' || *g->p == '#' ||
					      *g->p == '@' || *g->p == '*')) {
				g->p++; /* special parameters: empty */
				return;
			}
			sb_putc(s, '$');
			return;
		}
	}
	name[n] = 0;
	sb_puts(s, var_get(g, name));
}

static void free_words(struct grub *g)
{
	for (size_t i = 0; i < g->n_words; i++)
		free(g->words[i]);
	g->n_words = 0;
}

/* Lex one command into g->words. Returns 1 with a command (n_words may be
 * 0 for an empty one), 0 at the end, or a negative errno. */
static int next_cmd(struct grub *g, char *err, size_t errlen)
{
	struct sb s = { 0 };
	bool in_word = false;

	free_words(g);
	if (g->p >= g->end)
		return 0;
	while (g->p < g->end) {
		char c = *g->p;

		if (c == '\\' && g->p + 1 < g->end && g->p[1] == '\n') {
			g->p += 2; /* continuation */
			g->line++;
			continue;
		}
		if (c == '\n' || c == ';' || ((c == ' ' || c == '\t' ||
					       c == '\r') && in_word)) {
			if (in_word) {
				char *w = sb_take(&s);

				if (!w)
					return -ENOMEM;
				if (g->n_words >= MAX_WORDS) {
					free(w);
					set_err(err, errlen, "line %d: too many "
						"words", g->line);
					return -EINVAL;
				}
				g->words[g->n_words++] = w;
				in_word = false;
			}
			if (c == '\n' || c == ';') {
				if (c == '\n')
					g->line++;
				g->p++;
				return 1;
			}
			g->p++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r') {
			g->p++;
			continue;
		}
		if (c == '#' && !in_word) { /* comment to the end of line */
			while (g->p < g->end && *g->p != '\n')
				g->p++;
			continue;
		}
		in_word = true;
		if (c == '\\') {
			g->p++;
			if (g->p < g->end)
				sb_putc(&s, *g->p++);
		} else if (c == '\'') {
			const char *q = memchr(g->p + 1, '\'',
					       (size_t)(g->end - g->p - 1));

			if (!q) {
				free(sb_take(&s));
				set_err(err, errlen, "line %d: unterminated "
					"'quote'", g->line);
				return -EINVAL;
			}
			for (const char *r = g->p + 1; r < q; r++) {
				if (*r == '\n')
					g->line++;
				sb_putc(&s, *r);
			}
			g->p = q + 1;
		} else if (c == '"') {
			int start = g->line;

			g->p++;
			while (g->p < g->end && *g->p != '"') {
				if (*g->p == '\\' && g->p + 1 < g->end &&
				    strchr("\\\"$\n", g->p[1])) {
					if (g->p[1] != '\n')
						sb_putc(&s, g->p[1]);
					g->p += 2;
				} else if (*g->p == '$') {
					expand(g, &s);
				} else {
					if (*g->p == '\n')
						g->line++;
					sb_putc(&s, *g->p++);
				}
			}
			if (g->p >= g->end) {
				free(sb_take(&s));
				set_err(err, errlen, "line %d: unterminated "
					"\"quote\"", start);
				return -EINVAL;
			}
			g->p++;
		} else if (c == '$') {
			expand(g, &s);
		} else {
			sb_putc(&s, c);
			g->p++;
		}
		if (s.oom) {
			free(sb_take(&s));
			set_err(err, errlen, "line %d: a word is too long",
				g->line);
			return -EINVAL;
		}
	}
	if (in_word) {
		char *w = sb_take(&s);

		if (!w)
			return -ENOMEM;
		if (g->n_words >= MAX_WORDS) {
			free(w);
			return -EINVAL;
		}
		g->words[g->n_words++] = w;
	}
	return 1;
}

/* `set a=b` or `a=b`: variables; default= at menu level sets the default. */
static int assign(struct grub *g, const char *w)
{
	const char *eq = strchr(w, '=');
	char name[64];
	size_t n;
	int rc;

	if (!eq || eq == w)
		return 0;
	n = (size_t)(eq - w);
	if (n >= sizeof(name))
		return 0;
	memcpy(name, w, n);
	name[n] = 0;
	for (size_t i = 0; i < n; i++)
		if (!name_char(name[i]))
			return 0;
	rc = var_set(g, name, eq + 1);
	if (!rc && !strcmp(name, "default") && eq[1] &&
	    g->blk[g->depth].kind != BLK_ENTRY)
		rc = set_str(&g->c->default_entry, eq + 1);
	return rc;
}

static bool is_assignment(const char *w)
{
	const char *eq = strchr(w, '=');

	if (!eq || eq == w)
		return false;
	for (const char *p = w; p < eq; p++)
		if (!name_char(*p))
			return false;
	return !isdigit((unsigned char)w[0]);
}

static int open_block(struct grub *g, char **w, size_t n, char *err,
		      size_t errlen)
{
	const char *cmd = w[0];
	int d = g->depth, rc;
	enum blk kind = BLK_SKIP;
	struct boot_entry *e = NULL;
	char path[32] = "";

	if (g->depth >= BOOTCFG_MAX_DEPTH + 6) {
		set_err(err, errlen, "line %d: blocks nested too deep", g->line);
		return -EINVAL;
	}
	if ((!strcmp(cmd, "menuentry") || !strcmp(cmd, "submenu")) &&
	    (g->blk[d].kind == BLK_TOP || g->blk[d].kind == BLK_SUBMENU)) {
		int idx = g->blk[d].children++;

		if (g->blk[d].path[0])
			rc = snprintf(path, sizeof(path), "%s>%d",
				      g->blk[d].path, idx);
		else
			rc = snprintf(path, sizeof(path), "%d", idx);
		if (rc >= (int)sizeof(path) || d >= BOOTCFG_MAX_DEPTH) {
			kind = BLK_SKIP;
		} else if (!strcmp(cmd, "submenu")) {
			kind = BLK_SUBMENU;
		} else {
			kind = BLK_ENTRY;
			e = new_entry(g->c, n > 2 ? w[1] : "");
			if (!e) {
				if (g->c->n >= BOOTCFG_MAX_ENTRIES) {
					set_err(err, errlen, "line %d: more than "
						"%d menu entries", g->line,
						BOOTCFG_MAX_ENTRIES);
					return -EINVAL;
				}
				return -ENOMEM;
			}
			snprintf(e->path, sizeof(e->path), "%s", path);
			/* w[n - 1] is "{" */
			for (size_t i = 2; i + 2 < n; i++) {
				if (!strcmp(w[i], "--id")) {
					rc = set_str(&e->id, w[i + 1]);
					if (rc)
						return rc;
					break;
				}
			}
		}
	}
	g->depth++;
	memset(&g->blk[g->depth], 0, sizeof(g->blk[g->depth]));
	g->blk[g->depth].kind = kind;
	snprintf(g->blk[g->depth].path, sizeof(g->blk[g->depth].path), "%s",
		 path);
	if (e)
		g->blk[g->depth].e_idx = (size_t)(e - g->c->entries);
	return 0;
}

/* A command inside a menu entry. */
static int entry_cmd(struct boot_entry *e, char **w, size_t n)
{
	struct sb s = { 0 };
	int rc;

	if (!strcmp(w[0], "linux") || !strcmp(w[0], "linux16") ||
	    !strcmp(w[0], "linuxefi") || !strcmp(w[0], "kernel")) {
		free(e->kernel);
		e->kernel = n > 1 ? guest_path(w[1], NULL) : NULL;
		for (size_t i = 2; i < n; i++) {
			if (i > 2)
				sb_putc(&s, ' ');
			sb_puts(&s, w[i]);
		}
		free(e->args);
		e->args = sb_take(&s);
		return e->args ? 0 : -ENOMEM;
	}
	if (!strcmp(w[0], "initrd") || !strcmp(w[0], "initrd16") ||
	    !strcmp(w[0], "initrdefi")) {
		clear_initrds(e);
		for (size_t i = 1; i < n; i++) {
			rc = add_initrd(e, w[i], NULL);
			if (rc == -ENOMEM)
				return rc;
		}
		return 0;
	}
	return 0;
}

/* One simple command (no braces) at the current block. */
static int simple_cmd(struct grub *g, char **w, size_t n)
{
	enum blk kind = g->blk[g->depth].kind;

	if (kind == BLK_SKIP)
		return 0;
	if (!strcmp(w[0], "set")) {
		for (size_t i = 1; i < n; i++) {
			int rc = assign(g, w[i]);

			if (rc)
				return rc;
		}
		return 0;
	}
	if (is_assignment(w[0]))
		return assign(g, w[0]);
	if (kind == BLK_ENTRY)
		return entry_cmd(&g->c->entries[g->blk[g->depth].e_idx], w, n);
	return 0;
}

static bool keyword_word(const char *w)
{
	return !strcmp(w, "then") || !strcmp(w, "else") || !strcmp(w, "do") ||
	       !strcmp(w, "fi") || !strcmp(w, "done");
}

/* The words of one lexed command; "{" and "}" split it further, as in
 * `menuentry x { linux /k }` on one line. */
static int grub_cmd(struct grub *g, char *err, size_t errlen)
{
	char **w = g->words;
	size_t n = g->n_words;
	int rc = 0;

	while (n && !rc) {
		size_t k = 0;

		/* Leading keywords of if/while/for: the rest is a command. */
		if (keyword_word(w[0])) {
			w++;
			n--;
			continue;
		}
		while (k < n && strcmp(w[k], "{") && strcmp(w[k], "}"))
			k++;
		if (k == n)
			return simple_cmd(g, w, n);
		if (!strcmp(w[k], "{")) {
			rc = open_block(g, w, k + 1, err, errlen);
		} else {
			if (k)
				rc = simple_cmd(g, w, k);
			if (!rc && g->depth == 0) {
				set_err(err, errlen, "line %d: '}' without a "
					"block", g->line);
				rc = -EINVAL;
			}
			if (!rc)
				g->depth--;
		}
		w += k + 1;
		n -= k + 1;
	}
	return rc;
}

int bootcfg_parse_grub(const char *buf, size_t len, struct bootcfg *out,
		       char *err, size_t errlen)
{
	struct grub *g;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len > BOOTCFG_MAX_INPUT) {
		set_err(err, errlen, "the file is larger than %d bytes",
			BOOTCFG_MAX_INPUT);
		return -EINVAL;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->p = buf;
	g->end = buf + len;
	g->line = 1;
	g->c = out;
	while ((rc = next_cmd(g, err, errlen)) == 1) {
		rc = grub_cmd(g, err, errlen);
		if (rc)
			break;
	}
	free_words(g);
	for (size_t i = 0; i < g->n_vars; i++) {
		free(g->vars[i].name);
		free(g->vars[i].val);
	}
	if (rc == 0 && g->depth != 0) {
		set_err(err, errlen, "line %d: a '{' block is not closed",
			g->line);
		rc = -EINVAL;
	}
	free(g);
	if (rc)
		return rc;
	if (!out->n) {
		set_err(err, errlen, "no menuentry");
		return -EINVAL;
	}
	return 0;
}

/* --- extlinux -------------------------------------------------------------- */
static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = 0;
	return s;
}

/* The keyword at *s (case-insensitive); advances past it and blanks. */
static bool keyword(char **s, const char *kw)
{
	size_t n = strlen(kw);

	if (strncasecmp(*s, kw, n) || ((*s)[n] && (*s)[n] != ' ' &&
					(*s)[n] != '\t'))
		return false;
	*s = trim(*s + n);
	return true;
}

/* APPEND's initrd=a,b goes to the initrds; the rest is the args. */
static int ext_append(struct boot_entry *e, char *args, const char *base)
{
	struct sb s = { 0 };
	char *save = NULL;
	int rc = 0;

	for (char *w = strtok_r(args, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save)) {
		if (!strncmp(w, "initrd=", 7)) {
			char *save2 = NULL;

			clear_initrds(e);
			for (char *f = strtok_r(w + 7, ",", &save2); f;
			     f = strtok_r(NULL, ",", &save2)) {
				rc = add_initrd(e, f, base);
				if (rc == -ENOMEM)
					break;
				rc = 0;
			}
			continue;
		}
		if (s.n)
			sb_putc(&s, ' ');
		sb_puts(&s, w);
	}
	free(e->args);
	e->args = sb_take(&s);
	return rc ? rc : e->args ? 0 : -ENOMEM;
}

int bootcfg_parse_extlinux(const char *buf, size_t len, const char *base_dir,
			   struct bootcfg *out, char *err, size_t errlen)
{
	struct boot_entry *e = NULL;
	char *copy, *save = NULL;
	int rc = 0, line = 0;

	memset(out, 0, sizeof(*out));
	if (len > BOOTCFG_MAX_INPUT) {
		set_err(err, errlen, "the file is larger than %d bytes",
			BOOTCFG_MAX_INPUT);
		return -EINVAL;
	}
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, buf, len);
	copy[len] = 0;
	/* NULs inside would cut lines short: make them blanks. */
	for (size_t i = 0; i < len; i++)
		if (!copy[i])
			copy[i] = ' ';
	for (char *l = strtok_r(copy, "\n", &save); l && !rc;
	     l = strtok_r(NULL, "\n", &save)) {
		char *s = trim(l);

		line++;
		if (!*s || *s == '#')
			continue;
		if (keyword(&s, "LABEL")) {
			e = new_entry(out, s);
			if (!e) {
				rc = out->n >= BOOTCFG_MAX_ENTRIES ? -EINVAL
								   : -ENOMEM;
				set_err(err, errlen, "more than %d labels",
					BOOTCFG_MAX_ENTRIES);
				break;
			}
			snprintf(e->path, sizeof(e->path), "%zu", out->n - 1);
			rc = set_str(&e->id, s);
		} else if (keyword(&s, "DEFAULT")) {
			/* "DEFAULT vmlinuz root=..." (no label) is a command
			 * line; only its first word can name a label. */
			s[strcspn(s, " \t")] = 0;
			if (*s)
				rc = set_str(&out->default_entry, s);
		} else if (keyword(&s, "MENU")) {
			if (e && keyword(&s, "LABEL"))
				rc = set_str(&e->title, s);
			else if (e && keyword(&s, "DEFAULT"))
				rc = set_str(&out->default_entry, e->id);
		} else if (!e) {
			continue; /* global options: timeout, prompt, ui... */
		} else if (keyword(&s, "KERNEL") || keyword(&s, "LINUX")) {
			free(e->kernel);
			e->kernel = *s ? guest_path(s, base_dir) : NULL;
		} else if (keyword(&s, "APPEND")) {
			rc = ext_append(e, s, base_dir);
		} else if (keyword(&s, "INITRD")) {
			char *save2 = NULL;

			clear_initrds(e);
			for (char *f = strtok_r(s, ",", &save2); f;
			     f = strtok_r(NULL, ",", &save2)) {
				rc = add_initrd(e, trim(f), base_dir);
				if (rc == -ENOMEM)
					break;
				rc = 0;
			}
		}
	}
	free(copy);
	if (rc)
		return rc;
	if (!out->n) {
		set_err(err, errlen, "no LABEL");
		return -EINVAL;
	}
	return 0;
}

/* --- choosing ------------------------------------------------------------- */
static int find(const struct bootcfg *c, const char *sel, bool by_index)
{
	char *end;
	long v;

	if (!sel || !*sel)
		return -ENOENT;
	if (by_index) { /* --entry=N: the flattened list, as pygrub's */
		v = strtol(sel, &end, 10);
		if (!*end && v >= 0 && (size_t)v < c->n)
			return (int)v;
	}
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->entries[i].path, sel))
			return (int)i;
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->entries[i].title, sel) ||
		    (c->entries[i].id && !strcmp(c->entries[i].id, sel)))
			return (int)i;
	return -ENOENT;
}

int bootcfg_choose(const struct bootcfg *c, const char *sel)
{
	int i;

	if (sel) {
		i = find(c, sel, true);
		return i >= 0 && c->entries[i].kernel ? i : -ENOENT;
	}
	i = find(c, c->default_entry, false);
	if (i >= 0 && c->entries[i].kernel)
		return i;
	for (size_t j = 0; j < c->n; j++)
		if (c->entries[j].kernel)
			return (int)j;
	return -ENOENT;
}
