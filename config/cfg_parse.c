/* config/cfg_parse.c: bytes -> parse tree (struct cfg_tree).
 *
 * Accepts the subset of Python that xm config files use and the xl.cfg
 * syntax, which is nearly the same:
 *
 *   name = "value"            # strings: ' " ''' """ with \ escapes;
 *   memory = 256              # adjacent strings concatenate (on one
 *                             # line, or joined by a backslash)
 *   disk = [ 'phy:/dev/vg/a,xvda,w',
 *            'file:/img,xvdb,r', ]     # lists span lines, trailing comma
 *   extra = "console=hvc0 " \
 *           "root=/dev/xvda1"         # backslash continues a line
 *   vcpus = 2; maxvcpus = 4   # xl: ';' ends a setting too
 *   disk += [ 'file:/b,xvdb,w' ]      # xl: append to a list option
 *
 * Integers are decimal or 0x hex with an optional sign; tuples ( ) read as
 * lists. Later settings of the same name are kept; cfg_keys.c decides.
 * Invariant: the lexer never reads past len and every token carries the
 * line and column of its first byte. Nothing is printed; a syntax error
 * comes back as one cfg_msg. */
#include "config/cfg_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

enum tok_type {
	T_EOF,
	T_NL,
	T_ID,
	T_STRING,
	T_INT,
	T_EQ,
	T_PLUSEQ,
	T_LBR,
	T_RBR,
	T_COMMA,
	T_SEMI,
};

struct lexer {
	const char *file;
	const char *buf;
	size_t len;
	size_t pos;
	int line;
	int col;
	int depth; /* open brackets: newlines inside are whitespace */
	bool nl_skipped; /* a newline was skipped before this token */
	struct cfg_msg *err;
	/* current token */
	enum tok_type type;
	int tline;
	int tcol;
	char *text; /* T_ID, T_STRING (malloc'd, owned by the lexer) */
	size_t text_len;
	long long ival;
};

static int lex_peekc(const struct lexer *lx, size_t ahead)
{
	if (lx->pos + ahead >= lx->len)
		return -1;
	return (unsigned char)lx->buf[lx->pos + ahead];
}

static void lex_advance(struct lexer *lx, size_t n)
{
	while (n-- && lx->pos < lx->len) {
		if (lx->buf[lx->pos] == '\n') {
			lx->line++;
			lx->col = 1;
		} else {
			lx->col++;
		}
		lx->pos++;
	}
}

static int lex_error(struct lexer *lx, int line, int col, const char *phrase)
{
	return cfg_msg_set(lx->err, lx->file, line, col, "%s", phrase);
}

/* Skip blanks, comments, continuations and (inside brackets) newlines. */
static int lex_skip(struct lexer *lx)
{
	for (;;) {
		int c = lex_peekc(lx, 0);

		if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
			lex_advance(lx, 1);
		} else if (c == '#') {
			while (lex_peekc(lx, 0) >= 0 && lex_peekc(lx, 0) != '\n')
				lex_advance(lx, 1);
		} else if (c == '\\') {
			size_t k = 1;

			if (lex_peekc(lx, k) == '\r')
				k++;
			if (lex_peekc(lx, k) != '\n')
				return lex_error(lx, lx->line, lx->col,
						 "stray '\\' (a continuation "
						 "must end its line)");
			lex_advance(lx, k + 1);
		} else if (c == '\n' && lx->depth > 0) {
			lex_advance(lx, 1);
			lx->nl_skipped = true;
		} else {
			return 0;
		}
	}
}

static int text_push(struct lexer *lx, size_t *cap, char c)
{
	if (lx->text_len + 2 > *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		char *n = realloc(lx->text, ncap);

		if (!n)
			return -ENOMEM;
		lx->text = n;
		*cap = ncap;
	}
	lx->text[lx->text_len++] = c;
	lx->text[lx->text_len] = '\0';
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One escape after '\' inside a string; *skip = bytes consumed. */
static int lex_escape(struct lexer *lx, int *out, size_t *skip)
{
	int c = lex_peekc(lx, 1);

	*skip = 2;
	switch (c) {
	case 'n': *out = '\n'; return 0;
	case 't': *out = '\t'; return 0;
	case 'r': *out = '\r'; return 0;
	case '0': *out = -2; return 0; /* NUL: refused below */
	case '\\': case '\'': case '"': *out = c; return 0;
	case '\n': *out = -1; return 0; /* line continuation */
	case 'x': {
		int h = hexval(lex_peekc(lx, 2)), l = hexval(lex_peekc(lx, 3));

		if (h < 0 || l < 0)
			break;
		*out = h * 16 + l ? h * 16 + l : -2;
		*skip = 4;
		return 0;
	}
	default:
		/* Python keeps unknown escapes as written. */
		*out = '\\';
		*skip = 1;
		return 0;
	}
	return lex_error(lx, lx->line, lx->col, "invalid \\x escape in string");
}

/* Strings end up in JSON sent to xend, so they must be UTF-8. */
static bool utf8_valid(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i], len, cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
		if (!len || c > 0xf4 || i + len > n)
			return false;
		cp = c & (0x3f >> (len - 1));
		for (unsigned k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
		i += len;
	}
	return true;
}

static int lex_string(struct lexer *lx)
{
	int q = lex_peekc(lx, 0);
	bool triple = lex_peekc(lx, 1) == q && lex_peekc(lx, 2) == q;
	size_t cap = 0;
	int rc;

	lx->text_len = 0;
	rc = text_push(lx, &cap, 0);
	if (rc)
		return rc;
	lx->text_len = 0;
	lex_advance(lx, triple ? 3 : 1);
	for (;;) {
		int c = lex_peekc(lx, 0), e = 0;
		size_t skip;

		if (c < 0 || (c == '\n' && !triple))
			return lex_error(lx, lx->tline, lx->tcol,
					 "unterminated string");
		if (c == q && (!triple || (lex_peekc(lx, 1) == q &&
					   lex_peekc(lx, 2) == q))) {
			lex_advance(lx, triple ? 3 : 1);
			if (!utf8_valid((const unsigned char *)lx->text,
					lx->text_len))
				return lex_error(lx, lx->tline, lx->tcol,
						 "string is not valid UTF-8");
			return 0;
		}
		if (c == 0)
			return lex_error(lx, lx->line, lx->col,
					 "NUL byte in string");
		if (c != '\\') {
			rc = text_push(lx, &cap, (char)c);
			lex_advance(lx, 1);
		} else {
			rc = lex_escape(lx, &e, &skip);
			if (rc)
				return rc;
			if (e == -2)
				return lex_error(lx, lx->line, lx->col,
						 "NUL byte in string");
			if (e >= 0)
				rc = text_push(lx, &cap, (char)e);
			lex_advance(lx, skip);
		}
		if (rc)
			return rc;
	}
}

static bool is_id_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_id_char(int c)
{
	return is_id_start(c) || (c >= '0' && c <= '9') || c == '-';
}

static int lex_int(struct lexer *lx)
{
	bool neg = false;
	int base = 10;
	unsigned long long v = 0;
	int c = lex_peekc(lx, 0), digits = 0;

	if (c == '-' || c == '+') {
		neg = c == '-';
		lex_advance(lx, 1);
	}
	if (lex_peekc(lx, 0) == '0' &&
	    (lex_peekc(lx, 1) == 'x' || lex_peekc(lx, 1) == 'X')) {
		base = 16;
		lex_advance(lx, 2);
	}
	for (;;) {
		int d = hexval(lex_peekc(lx, 0));

		if (d < 0 || d >= base)
			break;
		if (v > (unsigned long long)LLONG_MAX / (unsigned)base)
			return lex_error(lx, lx->tline, lx->tcol,
					 "number too large");
		v = v * (unsigned)base + (unsigned)d;
		if (v > (unsigned long long)LLONG_MAX)
			return lex_error(lx, lx->tline, lx->tcol,
					 "number too large");
		digits++;
		lex_advance(lx, 1);
	}
	c = lex_peekc(lx, 0);
	if (!digits || (c >= 0 && (is_id_char(c) || c == '.')))
		return lex_error(lx, lx->tline, lx->tcol, "malformed number");
	lx->ival = neg ? -(long long)v : (long long)v;
	lx->type = T_INT;
	return 0;
}

static int lex_ident(struct lexer *lx)
{
	size_t start = lx->pos, n;

	while (lex_peekc(lx, 0) >= 0 && is_id_char(lex_peekc(lx, 0)))
		lex_advance(lx, 1);
	n = lx->pos - start;
	free(lx->text);
	lx->text = strndup(lx->buf + start, n);
	if (!lx->text)
		return -ENOMEM;
	lx->text_len = n;
	lx->type = T_ID;
	return 0;
}

static int lex_punct(struct lexer *lx, int c)
{
	static const struct {
		char c;
		enum tok_type t;
		int depth;
	} punct[] = {
		{ '=', T_EQ, 0 },    { '[', T_LBR, 1 },  { '(', T_LBR, 1 },
		{ ']', T_RBR, -1 },  { ')', T_RBR, -1 }, { ',', T_COMMA, 0 },
		{ ';', T_SEMI, 0 },  { '\n', T_NL, 0 },
	};
	char what[48];

	if (c == '+' && lex_peekc(lx, 1) == '=') {
		lx->type = T_PLUSEQ; /* xl: append to a list */
		lex_advance(lx, 2);
		return 0;
	}
	for (size_t i = 0; i < sizeof(punct) / sizeof(punct[0]); i++) {
		if (punct[i].c != c)
			continue;
		lx->type = punct[i].t;
		lx->depth += punct[i].depth;
		if (lx->depth < 0)
			lx->depth = 0;
		lex_advance(lx, 1);
		return 0;
	}
	if (c >= 0x21 && c < 0x7f)
		snprintf(what, sizeof(what), "unexpected character '%c'", c);
	else
		snprintf(what, sizeof(what), "unexpected byte 0x%02x", c);
	return lex_error(lx, lx->tline, lx->tcol, what);
}

/* Read the next token into lx. */
static int lex_next(struct lexer *lx)
{
	int rc, c;

	lx->nl_skipped = false;
	rc = lex_skip(lx);
	if (rc)
		return rc;
	lx->tline = lx->line;
	lx->tcol = lx->col;
	c = lex_peekc(lx, 0);
	if (c < 0) {
		lx->type = T_EOF;
		return 0;
	}
	if (c == '"' || c == '\'') {
		lx->type = T_STRING;
		return lex_string(lx);
	}
	if ((c >= '0' && c <= '9') ||
	    ((c == '-' || c == '+') && lex_peekc(lx, 1) >= '0' &&
	     lex_peekc(lx, 1) <= '9'))
		return lex_int(lx);
	if (is_id_start(c))
		return lex_ident(lx);
	return lex_punct(lx, c);
}

static const char *tok_desc(enum tok_type t)
{
	static const char *const names[] = {
		[T_EOF] = "end of file", [T_NL] = "end of line",
		[T_ID] = "a name",       [T_STRING] = "a string",
		[T_INT] = "a number",    [T_EQ] = "'='",
		[T_PLUSEQ] = "'+='",
		[T_LBR] = "'['",         [T_RBR] = "']'",
		[T_COMMA] = "','",       [T_SEMI] = "';'",
	};
	return names[t];
}

static struct cfg_value *value_new(enum cfg_vtype type, int line, int col)
{
	struct cfg_value *v = calloc(1, sizeof(*v));

	if (v) {
		v->type = type;
		v->line = line;
		v->col = col;
	}
	return v;
}

static int parse_value(struct lexer *lx, int nesting, struct cfg_value **out);

static int list_push(struct cfg_value *list, struct cfg_value *item)
{
	struct cfg_value **n = realloc(list->items, (list->n_items + 1) *
							    sizeof(*n));
	if (!n)
		return -ENOMEM;
	list->items = n;
	list->items[list->n_items++] = item;
	return 0;
}

/* After '[': values separated by ',', optional trailing ',', then ']'. */
static int parse_list(struct lexer *lx, int nesting, struct cfg_value *list)
{
	int rc = lex_next(lx);

	while (!rc && lx->type != T_RBR) {
		struct cfg_value *item = NULL;

		rc = parse_value(lx, nesting + 1, &item);
		if (!rc)
			rc = list_push(list, item);
		if (rc) {
			cfg_value_free(item);
			return rc;
		}
		if (lx->type == T_COMMA)
			rc = lex_next(lx);
		else if (lx->type != T_RBR)
			return cfg_msg_set(lx->err, lx->file, lx->tline,
					   lx->tcol,
					   "expected ',' or ']' in list, "
					   "found %s", tok_desc(lx->type));
	}
	return rc ? rc : lex_next(lx);
}

static int parse_string(struct lexer *lx, struct cfg_value *v)
{
	int rc;

	v->s = strdup(lx->text ? lx->text : "");
	if (!v->s)
		return -ENOMEM;
	/* Python concatenates adjacent string literals; across lines inside
	 * a list that is nearly always a missing ',', so it is not done. */
	while (!(rc = lex_next(lx)) && lx->type == T_STRING &&
	       !lx->nl_skipped) {
		size_t a = strlen(v->s), b = strlen(lx->text);
		char *n = realloc(v->s, a + b + 1);

		if (!n)
			return -ENOMEM;
		memcpy(n + a, lx->text, b + 1);
		v->s = n;
	}
	return rc;
}

/* Parse one value starting at the current token; leaves the token after
 * it current. */
static int parse_value(struct lexer *lx, int nesting, struct cfg_value **out)
{
	struct cfg_value *v;
	int rc;

	if (nesting > CFG_MAX_NESTING)
		return lex_error(lx, lx->tline, lx->tcol,
				 "lists nested too deeply");
	switch (lx->type) {
	case T_STRING:
		v = value_new(CFG_V_STRING, lx->tline, lx->tcol);
		rc = v ? parse_string(lx, v) : -ENOMEM;
		break;
	case T_INT:
		v = value_new(CFG_V_INT, lx->tline, lx->tcol);
		if (v)
			v->i = lx->ival;
		rc = v ? lex_next(lx) : -ENOMEM;
		break;
	case T_LBR:
		v = value_new(CFG_V_LIST, lx->tline, lx->tcol);
		rc = v ? parse_list(lx, nesting, v) : -ENOMEM;
		break;
	case T_ID:
		/* Python's booleans, as xm configs sometimes write them. */
		if (strcmp(lx->text, "True") && strcmp(lx->text, "False"))
			return cfg_msg_set(lx->err, lx->file, lx->tline,
					   lx->tcol, "expected a value, found "
					   "the name '%s' (put strings in "
					   "quotes)", lx->text);
		v = value_new(CFG_V_INT, lx->tline, lx->tcol);
		if (v)
			v->i = lx->text[0] == 'T';
		rc = v ? lex_next(lx) : -ENOMEM;
		break;
	default:
		return cfg_msg_set(lx->err, lx->file, lx->tline, lx->tcol,
				   "expected a value (a string, a number or "
				   "a list), found %s", tok_desc(lx->type));
	}
	if (rc) {
		cfg_value_free(v);
		return rc;
	}
	*out = v;
	return 0;
}

static int tree_push(struct cfg_tree *t, struct cfg_setting *s)
{
	struct cfg_setting *n = realloc(t->settings, (t->n_settings + 1) *
							      sizeof(*n));
	if (!n)
		return -ENOMEM;
	t->settings = n;
	t->settings[t->n_settings++] = *s;
	return 0;
}

static bool is_python_statement(const char *word)
{
	static const char *const kw[] = { "import", "from", "if", "elif",
					   "else", "for", "while", "def",
					   "try", "print", "del", NULL };

	for (int i = 0; kw[i]; i++)
		if (!strcmp(word, kw[i]))
			return true;
	return false;
}

/* name '=' value (NL | ';' | EOF); the current token is the name. */
static int parse_setting(struct lexer *lx, struct cfg_tree *t)
{
	struct cfg_setting s = { .line = lx->tline, .col = lx->tcol };
	int rc;

	if (lx->type != T_ID)
		return cfg_msg_set(lx->err, lx->file, lx->tline, lx->tcol,
				   "expected an option name, found %s",
				   tok_desc(lx->type));
	if (is_python_statement(lx->text))
		return cfg_msg_set(lx->err, lx->file, lx->tline, lx->tcol,
				   "Python statement '%s' is not supported: "
				   "config files hold only assignments "
				   "(name = value)", lx->text);
	s.name = strdup(lx->text);
	if (!s.name)
		return -ENOMEM;
	rc = lex_next(lx);
	s.append = lx->type == T_PLUSEQ;
	if (!rc && lx->type != T_EQ && lx->type != T_PLUSEQ)
		rc = cfg_msg_set(lx->err, lx->file, lx->tline, lx->tcol,
				 "expected '=' after '%s', found %s", s.name,
				 tok_desc(lx->type));
	if (!rc)
		rc = lex_next(lx);
	if (!rc)
		rc = parse_value(lx, 0, &s.value);
	if (!rc && lx->type != T_NL && lx->type != T_SEMI && lx->type != T_EOF)
		rc = cfg_msg_set(lx->err, lx->file, lx->tline, lx->tcol,
				 "expected end of line after the value of "
				 "'%s', found %s", s.name, tok_desc(lx->type));
	if (!rc)
		rc = tree_push(t, &s);
	if (rc) {
		free(s.name);
		cfg_value_free(s.value);
	}
	return rc;
}

int cfg_tree_parse(const char *file, const char *buf, size_t len,
		   struct cfg_tree **out, struct cfg_msg *err)
{
	struct lexer lx = { .file = file, .buf = buf, .len = len,
			    .line = 1, .col = 1, .err = err };
	struct cfg_tree *t;
	int rc;

	if (len > CFG_MAX_INPUT)
		return cfg_msg_set(err, file, 0, 0,
				   "file too large (%zu bytes, at most %u)",
				   len, CFG_MAX_INPUT);
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	rc = lex_next(&lx);
	while (!rc && lx.type != T_EOF) {
		if (lx.type == T_NL || lx.type == T_SEMI)
			rc = lex_next(&lx);
		else
			rc = parse_setting(&lx, t);
	}
	free(lx.text);
	if (rc) {
		cfg_tree_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

void cfg_value_free(struct cfg_value *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n_items; i++)
		cfg_value_free(v->items[i]);
	free(v->items);
	free(v->s);
	free(v);
}

void cfg_tree_free(struct cfg_tree *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_settings; i++) {
		free(t->settings[i].name);
		cfg_value_free(t->settings[i].value);
	}
	free(t->settings);
	free(t);
}

const char *cfg_vtype_name(enum cfg_vtype t)
{
	switch (t) {
	case CFG_V_STRING: return "a string";
	case CFG_V_INT: return "a number";
	case CFG_V_LIST: return "a list";
	}
	return "?";
}
