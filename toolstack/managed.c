/* toolstack/managed.c: managed domains (xm new/start/delete) and the
 * domains of /etc/xen/auto.
 *
 * A managed domain is a config kept by xend in
 * state_dir/domains/<name>.json ({"config": ..., "config_file": ...}),
 * the config object xm sent with `xm new`; `xm start` creates it,
 * `xm delete` forgets it (refused while it runs). Inactive ones are
 * listed by `xm list` with no id.
 *
 * At start, xend creates every config file of the auto directory (in
 * name order), parsed with config/ as xm would; failures are logged and
 * do not stop xend. A config whose domain already runs (xend restarted)
 * is skipped. */
#include "toolstack/xend.h"
#include "config/cfg.h"
#include "lib/log.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int managed_path(struct xend *x, const char *name, char *buf,
			size_t len)
{
	char err[160];

	if (dom_check_name(name, err, sizeof(err)))
		return -EINVAL;
	snprintf(buf, len, "%s/domains/%s.json", x->o.state_dir, name);
	return 0;
}

int managed_new(struct xend *x, json_t *config, const char *config_file,
		char **msg)
{
	const char *name = json_string_value(json_object_get(
				json_object_get(config, "c_info"), "name"));
	struct domain tmp = { .pidfd = -1 };
	char path[600], dir[520], err[160];
	json_t *o;
	int rc;

	if (!name)
		return *msg = strdup("the request has no config with a name"), 1;
	if (dom_check_name(name, err, sizeof(err)) ||
	    dom_apply_config(&tmp, config, err, sizeof(err)))
		return *msg = strdup(err), 1;
	if (dom_find_name(x, name))
		return *msg = xend_strdup_printf("domain '%s' is running; its "
						 "config cannot change now",
						 name), 1;
	snprintf(dir, sizeof(dir), "%s/domains", x->o.state_dir);
	mkdir(x->o.state_dir, 0700);
	mkdir(dir, 0700);
	if (managed_path(x, name, path, sizeof(path)))
		return *msg = strdup("bad name"), 1;
	o = json_pack("{s:O, s:s?}", "config", config, "config_file",
		      config_file);
	rc = o ? json_dump_file(o, path, JSON_INDENT(2)) : -1;
	json_decref(o);
	if (rc)
		return *msg = xend_strdup_printf("cannot write %s", path), 1;
	log_info("managed domain '%s' defined (%s)", name, path);
	return 0;
}

json_t *managed_config(struct xend *x, const char *name)
{
	char path[600];
	json_t *o, *c;

	if (managed_path(x, name, path, sizeof(path)))
		return NULL;
	o = json_load_file(path, 0, NULL);
	c = json_incref(json_object_get(o, "config"));
	json_decref(o);
	return c;
}

int managed_start(struct xend *x, const char *name, bool paused,
		  struct domain **out, char **msg)
{
	char path[600];
	struct domain *d;
	json_t *o;
	int rc;

	if (managed_path(x, name, path, sizeof(path)))
		return *msg = xend_strdup_printf("domain '%s' is not a managed "
						 "domain", name), 1;
	o = json_load_file(path, 0, NULL);
	if (!o)
		return *msg = xend_strdup_printf("domain '%s' is not a managed "
						 "domain", name), 1;
	if ((d = dom_find_name(x, name))) {
		json_decref(o);
		return *msg = xend_strdup_printf("domain '%s' is already running "
						 "(id %u)", name, d->domid), 1;
	}
	rc = dom_create(x, json_object_get(o, "config"), json_string_value(
				json_object_get(o, "config_file")), paused, out,
			msg);
	json_decref(o);
	return rc;
}

int managed_delete(struct xend *x, const char *name, char **msg)
{
	char path[600];

	if (managed_path(x, name, path, sizeof(path)) || access(path, F_OK))
		return *msg = xend_strdup_printf("domain '%s' is not a managed "
						 "domain", name), 1;
	if (dom_find_name(x, name))
		return *msg = xend_strdup_printf("domain '%s' is running; shut "
						 "it down before deleting it",
						 name), 1;
	if (unlink(path) < 0)
		return *msg = xend_strdup_printf("cannot remove %s: %s", path,
						 strerror(errno)), 1;
	log_info("managed domain '%s' deleted", name);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* File names in dir (sorted, without dot files); with suffix, only those
 * ending in it, which is cut off. */
static char **list_dir(const char *dir, const char *suffix)
{
	size_t n = 0, cap = 16, sl = suffix ? strlen(suffix) : 0;
	char **v = calloc(cap + 1, sizeof(*v));
	struct dirent *e;
	DIR *dh = opendir(dir);

	while (v && dh && (e = readdir(dh))) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.' || e->d_name[len - 1] == '~' ||
		    (suffix && (len <= sl || strcmp(e->d_name + len - sl, suffix))))
			continue;
		if (n == cap) {
			char **nv = realloc(v, (cap * 2 + 1) * sizeof(*v));

			if (!nv)
				break;
			v = nv;
			cap *= 2;
		}
		v[n] = strndup(e->d_name, len - sl);
		if (v[n])
			v[++n] = NULL;
	}
	if (dh)
		closedir(dh);
	if (v)
		qsort(v, n, sizeof(*v), cmp_str);
	return v;
}

char **managed_names(struct xend *x)
{
	char dir[520];

	snprintf(dir, sizeof(dir), "%s/domains", x->o.state_dir);
	return list_dir(dir, ".json");
}

static int path_check(void *opaque, const char *path)
{
	struct stat st;

	(void)opaque;
	if (stat(path, &st) < 0)
		return -errno;
	return S_ISREG(st.st_mode) ? 0 : -EINVAL;
}

/* Parse one config file as xm does and return its JSON object. */
static json_t *auto_config(const char *path)
{
	struct cfg_host host = { .mem_mb = host_mem_kib(false) / 1024,
				 .path_check = path_check };
	struct dom_config *c = NULL;
	struct cfg_diag diag;
	char *buf = NULL, msg[400];
	size_t len = 0;
	json_t *o = NULL;
	FILE *f = fopen(path, "re"), *mf;
	int rc;

	cfg_diag_init(&diag);
	if (f) {
		mf = open_memstream(&buf, &len);
		for (int ch; mf && (ch = fgetc(f)) != EOF;)
			fputc(ch, mf);
		if (mf)
			fclose(mf);
		fclose(f);
	}
	if (!buf || cfg_load(path, buf, len, NULL, 0, &host, &c, &diag)) {
		if (diag.has_error) {
			cfg_msg_format(&diag.error, msg, sizeof(msg));
			log_error(0, "auto: %s", msg);
		} else {
			log_error(0, "auto: cannot read %s", path);
		}
	} else if ((rc = cfg_json(c, &o))) {
		log_error(0, "auto: %s: %s", path, rc == -EILSEQ ?
			  "a value is not UTF-8" : strerror(-rc));
		o = NULL;
	}
	free(buf);
	cfg_dom_free(c);
	cfg_diag_free(&diag);
	return o;
}

void managed_auto_start(struct xend *x)
{
	char **names = list_dir(x->o.auto_dir, NULL);
	char path[1024];

	for (size_t i = 0; names && names[i]; i++) {
		json_t *cfg;
		char *msg = NULL;
		const char *name;

		snprintf(path, sizeof(path), "%s/%s", x->o.auto_dir, names[i]);
		free(names[i]);
		cfg = auto_config(path);
		if (!cfg)
			continue;
		name = json_string_value(json_object_get(json_object_get(cfg,
							"c_info"), "name"));
		if (name && dom_find_name(x, name))
			log_info("auto: %s: domain '%s' already runs", path, name);
		else if (dom_create(x, cfg, path, false, NULL, &msg))
			log_error(0, "auto: %s: %s", path, msg ? msg : "failed");
		else
			log_info("auto: %s: started", path);
		free(msg);
		json_decref(cfg);
	}
	free(names);
}
