/* cli/cmd_create.c: `xm create` and `xm new`.
 *
 *   xm create [-c] [-n|--dryrun] [--json] [-p] [-q] [-f FILE]
 *             [--path DIRS] <ConfigFile> [name=value ...]
 *
 * Finds the config file (the argument as given, then <dir>/<name> for
 * each dir of --path, default $XEN_CONFIG_DIR or /etc/xen; with no file,
 * xmdefconfig there), parses and validates it with the config library
 * against this host (memory from /proc/meminfo, kernel files checked),
 * then either prints it (dry run: SXP, or JSON with --json) or sends it to
 * xend. Nothing reaches xend unless the whole config is valid. */
#include "cli/xm.h"
#include "config/cfg.h"
#include "proto/xend_proto.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define XM_DEFAULT_CONFIG_DIR "/etc/xen"
#define XM_DEFCONFIG "xmdefconfig"
#define XM_PATH_MAX 4096
#define XM_CONFIG_MAX (1u << 20)

struct create_opts {
	bool dry_run;
	bool json;
	bool quiet;
	const char *file;
	const char *path; /* ':'-separated directories */
	const char **overrides;
	size_t n_overrides;
	int n_fwd; /* -c, -p: passed on to xend */
	char *fwd[4];
};

static bool is_override(const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg)
		return false;
	for (const char *p = arg; p < eq; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_", *p))
			return false;
	return true;
}

static int create_args(const struct xm *xm, const struct cmd_spec *cmd,
		       int argc, char **argv, struct create_opts *o)
{
	static const struct option longopts[] = {
		{ "console", no_argument, NULL, 'c' },
		{ "dryrun", no_argument, NULL, 'n' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "paused", no_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "defconfig", required_argument, NULL, 'f' },
		{ "path", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "cnpqf:", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->fwd[o->n_fwd++] = "-c"; break;
		case 'p': o->fwd[o->n_fwd++] = "-p"; break;
		case 'n': o->dry_run = true; break;
		case 'q': o->quiet = true; break;
		case 'f': o->file = optarg; break;
		case 'P': o->path = optarg; break;
		case 'j': o->json = true; break;
		default:
			fprintf(stderr, "%s: %s: unknown or incomplete option "
				"'%s'\n", xm->prog, cmd->name, argv[optind - 1]);
			cmd_print_usage(xm, cmd, stderr);
			return XM_USAGE;
		}
		if (o->n_fwd > 2)
			o->n_fwd = 2;
	}
	for (int i = optind; i < argc; i++) {
		if (is_override(argv[i])) {
			o->overrides[o->n_overrides++] = argv[i];
		} else if (!o->file) {
			o->file = argv[i];
		} else {
			fprintf(stderr, "%s: %s: more than one config file "
				"('%s' and '%s')\n", xm->prog, cmd->name,
				o->file, argv[i]);
			return XM_USAGE;
		}
	}
	return XM_OK;
}

static bool file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The argument as given, then each search directory. */
static int find_config(const struct create_opts *o, char *out, size_t len)
{
	const char *env = getenv("XEN_CONFIG_DIR");
	const char *name = o->file ? o->file : XM_DEFCONFIG;
	const char *dirs = o->path ? o->path
			   : env && *env ? env : XM_DEFAULT_CONFIG_DIR;

	if (o->file && file_exists(o->file)) {
		snprintf(out, len, "%s", o->file);
		return 0;
	}
	if (name[0] == '/')
		return -ENOENT;
	while (*dirs) {
		size_t n = strcspn(dirs, ":");

		snprintf(out, len, "%.*s/%s", (int)n, dirs, name);
		if (n && file_exists(out))
			return 0;
		dirs += n + (dirs[n] == ':');
	}
	return -ENOENT;
}

/* Reads up to XM_CONFIG_MAX + 1 bytes: the library refuses anything
 * larger than its limit, so one byte more is enough to tell. */
static int read_config(const char *path, char **buf_out, size_t *len_out)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t len;
	int rc = 0;

	if (!f)
		return -errno;
	buf = malloc(XM_CONFIG_MAX + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	len = fread(buf, 1, XM_CONFIG_MAX + 1, f);
	if (ferror(f))
		rc = -EIO;
	fclose(f);
	if (rc) {
		free(buf);
		return rc;
	}
	*buf_out = buf;
	*len_out = len;
	return 0;
}

/* MemTotal in MiB ($KXEN_HOST_MEMORY_MB overrides, for tests). */
static uint64_t host_mem_mb(void)
{
	const char *env = getenv("KXEN_HOST_MEMORY_MB");
	unsigned long long kb = 0;
	char line[256];
	FILE *f;

	if (env && *env)
		return strtoull(env, NULL, 10);
	f = fopen("/proc/meminfo", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb / 1024;
}

static int host_path_check(void *opaque, const char *path)
{
	struct stat st;

	(void)opaque;
	if (stat(path, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (access(path, R_OK) < 0)
		return -errno;
	return 0;
}

static void print_diag(const struct xm *xm, const struct cfg_diag *d,
		       bool quiet)
{
	char buf[CFG_PHRASE_MAX + 4200];

	for (size_t i = 0; i < d->n_warnings && !quiet; i++) {
		cfg_msg_format(&d->warnings[i], buf, sizeof(buf));
		fprintf(stderr, "%s: warning: %s\n", xm->prog, buf);
	}
	if (d->has_error) {
		cfg_msg_format(&d->error, buf, sizeof(buf));
		fprintf(stderr, "%s: %s\n", xm->prog, buf);
	}
}

/* Find, read, parse and check the config. */
static int load(const struct xm *xm, const struct create_opts *o,
		char *path, size_t path_len, struct dom_config **c)
{
	struct cfg_host host = { .mem_mb = host_mem_mb(),
				 .path_check = host_path_check };
	struct cfg_diag diag;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (find_config(o, path, path_len)) {
		fprintf(stderr, "%s: config file '%s' not found (looked in "
			"the current directory and %s)\n", xm->prog,
			o->file ? o->file : XM_DEFCONFIG,
			o->path ? o->path : getenv("XEN_CONFIG_DIR") ?
			getenv("XEN_CONFIG_DIR") : XM_DEFAULT_CONFIG_DIR);
		return XM_ERR;
	}
	rc = read_config(path, &buf, &len);
	if (rc) {
		fprintf(stderr, "%s: cannot read config file '%s': %s\n",
			xm->prog, path, strerror(-rc));
		return XM_ERR;
	}
	if (!o->quiet)
		fprintf(stderr, "Using config file \"%s\".\n", path);
	cfg_diag_init(&diag);
	rc = cfg_load(path, buf, len, o->overrides, o->n_overrides, &host, c,
		      &diag);
	free(buf);
	print_diag(xm, &diag, o->quiet);
	if (rc && !diag.has_error)
		fprintf(stderr, "%s: %s: %s\n", xm->prog, path, strerror(-rc));
	cfg_diag_free(&diag);
	return rc ? XM_ERR : XM_OK;
}

static int send_config(const struct xm *xm, const struct cmd_spec *cmd,
		       const struct create_opts *o, const char *path,
		       const struct dom_config *c)
{
	json_t *config = NULL;
	char *req = NULL;
	int rc = cfg_json(c, &config);

	if (!rc) {
		rc = xend_request_encode(cmd->name, o->n_fwd, o->fwd, path,
					 config, &req);
		json_decref(config);
	}
	if (rc) {
		fprintf(stderr, "%s: %s: %s\n", xm->prog, cmd->name,
			rc == -EILSEQ ? "a value in the config or the "
					"arguments is not UTF-8"
				      : strerror(-rc));
		return XM_ERR;
	}
	rc = xend_run(xm, req);
	free(req);
	return rc;
}

static int create_or_new(struct xm *xm, const struct cmd_spec *cmd, int argc,
			 char **argv, bool can_dry)
{
	struct create_opts o = { .dry_run = xm->dry_run };
	struct dom_config *c = NULL;
	char path[XM_PATH_MAX];
	int rc;

	o.overrides = calloc((size_t)argc + 1, sizeof(*o.overrides));
	if (!o.overrides)
		return XM_ERR;
	rc = create_args(xm, cmd, argc, argv, &o);
	if (!rc && o.dry_run && !can_dry) {
		fprintf(stderr, "%s: %s has no dry run\n", xm->prog, cmd->name);
		rc = XM_USAGE;
	}
	if (!rc)
		rc = load(xm, &o, path, sizeof(path), &c);
	if (!rc && o.dry_run) {
		rc = o.json ? cfg_json_dump(c, stdout) : cfg_sxp_dump(c, stdout);
		rc = rc ? XM_ERR : XM_OK;
	} else if (!rc) {
		rc = send_config(xm, cmd, &o, path, c);
	}
	cfg_dom_free(c);
	free(o.overrides);
	return rc;
}

int cmd_create(struct xm *xm, const struct cmd_spec *cmd, int argc,
	       char **argv)
{
	return create_or_new(xm, cmd, argc, argv, true);
}

int cmd_new(struct xm *xm, const struct cmd_spec *cmd, int argc, char **argv)
{
	return create_or_new(xm, cmd, argc, argv, false);
}
