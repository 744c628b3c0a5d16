/* toolstack/bootloader.c: bootloader= (see bootloader.h).
 *
 * As xm/xend did: the bootloader runs on the domain's first disk before
 * the domain is built, and its answer, pygrub's SXP
 *
 *   linux (kernel PATH)(ramdisk PATH)(args "ARGS")
 *
 * replaces kernel, ramdisk and command line. bootloader = "pygrub" (or any
 * path ending in /pygrub, as configs written for Xen say "/usr/bin/pygrub"
 * or "/usr/lib/xen-4.x/bin/pygrub") runs
 * kxen-pygrub, found beside xend, beside the monitor or on PATH (even
 * where Xen's pygrub is installed: it hands back a bzImage, which
 * kxen-monitor does not boot); any other value is the path of a program
 * that behaves like pygrub. Its files go to
 * RUN_DIR/boot (/run/xend/boot), and are removed when the domain is gone.
 * A bootloader gets BOOT_TIMEOUT_S to answer. xend does not wait for it:
 * boot_start spawns it with non-blocking pipes and the loop calls
 * boot_poll every 20 ms while the domain starts (a disk that makes the
 * bootloader slow delays only its own create); it dies with xend
 * (PR_SET_PDEATHSIG). kxen-pygrub gets
 * --runas=nobody: the part that parses the guest's disk runs without
 * root (bootloader/privsep.h). */
#include "toolstack/bootloader.h"
#include "toolstack/xend.h"
#include "lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BOOT_TIMEOUT_S 60
#define BOOT_RUNAS "nobody"
#define BOOT_OUT_MAX 8192
#define BOOT_MAX_ARGS 40

/* Xen's pygrub would hand back a bzImage, which kxen-monitor does not
 * boot: every pygrub is ours. */
static bool is_pygrub(const char *bl)
{
	const char *base = strrchr(bl, '/');

	return !strcmp(base ? base + 1 : bl, "pygrub");
}

/* The program to run, in buf; false if there is none. */
static bool find_exe(struct xend *x, const char *bl, char *buf, size_t len)
{
	const char *path = getenv("PATH");
	char mon[sizeof(x->monitor_path)], self[400];
	ssize_t n;

	if (!is_pygrub(bl)) {
		snprintf(buf, len, "%s", bl);
		return bl[0] == '/' && access(bl, X_OK) == 0;
	}
	/* Beside xend, beside the monitor, on PATH: as xend finds monitors. */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = 0;
		snprintf(buf, len, "%s/kxen-pygrub", dirname(self));
		if (access(buf, X_OK) == 0)
			return true;
	}
	snprintf(mon, sizeof(mon), "%s", x->monitor_path);
	if (strchr(mon, '/')) {
		snprintf(buf, len, "%s/kxen-pygrub", dirname(mon));
		if (access(buf, X_OK) == 0)
			return true;
	}
	for (const char *p = path; p && *p;) {
		size_t l = strcspn(p, ":");

		snprintf(buf, len, "%.*s/kxen-pygrub", (int)l, p);
		if (l && access(buf, X_OK) == 0)
			return true;
		p += l + (p[l] == ':');
	}
	snprintf(buf, len, "kxen-pygrub");
	return false;
}

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A bootloader running for a starting domain (d->boot). */
struct boot_run {
	pid_t pid;
	int fd[2];            /* its stdout and stderr; -1 once at EOF */
	char out[BOOT_OUT_MAX], err[2048];
	size_t n[2];
	uint64_t deadline_ms;
	bool timed_out;
	int status;           /* waitpid's, once it has exited */
};

/* Spawn argv with its stdout and stderr on non-blocking pipes. 0, or -1
 * with errline set. */
static int run_start(char **argv, struct boot_run *br, char *errline,
		     size_t errlen)
{
	int po[2], pe[2];

	if (pipe2(po, O_CLOEXEC) < 0)
		return snprintf(errline, errlen, "pipe: %s", strerror(errno)), -1;
	if (pipe2(pe, O_CLOEXEC) < 0) {
		close(po[0]);
		close(po[1]);
		return snprintf(errline, errlen, "pipe: %s", strerror(errno)), -1;
	}
	pid_t parent = getpid();

	br->pid = fork();
	if (br->pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		/* A bootloader outlives no xend: nobody would read its
		 * answer or remove what it extracted. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);

		if (null >= 0)
			dup2(null, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[0], argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	if (br->pid < 0) {
		close(po[0]);
		close(pe[0]);
		return snprintf(errline, errlen, "fork: %s", strerror(errno)), -1;
	}
	br->fd[0] = po[0];
	br->fd[1] = pe[0];
	fcntl(po[0], F_SETFL, O_NONBLOCK);
	fcntl(pe[0], F_SETFL, O_NONBLOCK);
	br->deadline_ms = xend_now_ms() + BOOT_TIMEOUT_S * 1000ull;
	return 0;
}

/* Take what the bootloader wrote; 1 while it runs, 0 once it has exited
 * (or was killed at its deadline). Never blocks. */
static int run_poll(struct boot_run *br)
{
	for (int i = 0; i < 2; i++) {
		char tmp[1024], *dst = i ? br->err : br->out;
		size_t cap = (i ? sizeof(br->err) : sizeof(br->out)) - 1;
		ssize_t r = -1;

		while (br->fd[i] >= 0 &&
		       ((r = read(br->fd[i], tmp, sizeof(tmp))) > 0 ||
			(r < 0 && errno == EINTR))) {
			if (r < 0)
				continue;
			if ((size_t)r > cap - br->n[i])
				r = (ssize_t)(cap - br->n[i]); /* rest dropped */
			memcpy(dst + br->n[i], tmp, (size_t)r);
			br->n[i] += (size_t)r;
		}
		if (br->fd[i] >= 0 && r == 0) {
			close(br->fd[i]);
			br->fd[i] = -1;
		}
	}
	if (xend_now_ms() >= br->deadline_ms) {
		br->timed_out = true;
		kill(br->pid, SIGKILL);
	} else if (br->fd[0] >= 0 || br->fd[1] >= 0 ||
		   waitpid(br->pid, &br->status, WNOHANG) == 0) {
		return 1;
	}
	if (br->timed_out)
		while (waitpid(br->pid, &br->status, 0) < 0 && errno == EINTR)
			;
	br->pid = -1;
	return 0;
}

/* Its exit status (its stdout in br->out), or -1; the last line of its
 * stderr, or why it failed, in errline. */
static int run_result(struct boot_run *br, char *errline, size_t errlen)
{
	size_t ne = br->n[1];
	const char *last;

	br->out[br->n[0]] = 0;
	br->err[ne] = 0;
	while (ne && (br->err[ne - 1] == '\n' || br->err[ne - 1] == ' '))
		br->err[--ne] = 0;
	last = strrchr(br->err, '\n');
	last = last ? last + 1 : br->err;
	ne = strlen(last) < errlen ? strlen(last) : errlen - 1;
	memcpy(errline, last, ne);
	errline[ne] = 0;
	if (br->timed_out) {
		snprintf(errline, errlen, "no answer in %d s", BOOT_TIMEOUT_S);
		return -1;
	}
	return WIFEXITED(br->status) ? WEXITSTATUS(br->status) : -1;
}

static void run_stop(struct boot_run *br)
{
	for (int i = 0; i < 2; i++)
		if (br->fd[i] >= 0)
			close(br->fd[i]);
	if (br->pid > 0) {
		kill(br->pid, SIGKILL);
		while (waitpid(br->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	free(br);
}

/* "(key VALUE)" in s, VALUE bare (up to the next ')'), or quoted as
 * Xen 4's pygrub does with Python's repr ('...' or "...", backslash
 * escapes), in *val (malloc'd). The xm-era args are (args "..."), not
 * escaped: a double-quoted value without a backslash ends at the last
 * '")'. */
static bool sxp_field(const char *s, const char *key, char **val)
{
	char pat[32], q, *o;
	const char *p, *e;

	snprintf(pat, sizeof(pat), "(%s ", key);
	p = strstr(s, pat);
	if (!p)
		return false;
	p += strlen(pat);
	if (*p != '\'' && *p != '"') {
		e = strchr(p, ')');
		if (!e)
			return false;
		*val = strndup(p, (size_t)(e - p));
		return *val != NULL;
	}
	q = *p++;
	if (q == '"' && !strchr(p, '\\')) {
		e = strstr(p, "\")");
		for (const char *n = e; n; n = strstr(n + 1, "\")"))
			e = n;
		if (!e)
			return false;
		*val = strndup(p, (size_t)(e - p));
		return *val != NULL;
	}
	o = *val = malloc(strlen(p) + 1);
	if (!o)
		return false;
	for (; *p && *p != q; p++) {
		if (*p == '\\' && p[1])
			p++;
		*o++ = *p;
	}
	*o = 0;
	if (*p != q) {
		free(*val);
		*val = NULL;
		return false;
	}
	return true;
}

/* The bootloader's answer into kernel, ramdisk, args (the last two may be
 * NULL): "linux (kernel K)(ramdisk R)(args A)". */
static int parse_answer(const char *s, char **kernel, char **ramdisk,
			char **args)
{
	*kernel = *ramdisk = *args = NULL;
	while (*s == ' ' || *s == '\n')
		s++;
	if (strncmp(s, "linux ", 6) || !sxp_field(s, "kernel", kernel))
		return -EINVAL;
	sxp_field(s, "ramdisk", ramdisk);
	sxp_field(s, "args", args);
	return 0;
}

/* Only files in our own folder are ever removed. */
static void remove_ours(struct xend *x, const char *path)
{
	char dir[300];
	size_t n;

	n = (size_t)snprintf(dir, sizeof(dir), "%s/boot/boot_", x->o.run_dir);
	if (path && n < sizeof(dir) && !strncmp(path, dir, n) &&
	    !strstr(path + n, "/") && unlink(path) < 0 && errno != ENOENT)
		log_warn(errno, "cannot remove %s", path);
}

void boot_cleanup(struct xend *x, struct domain *d)
{
	json_t *b = json_object_get(d->config, "b_info");

	if (d->boot) {
		run_stop(d->boot);
		d->boot = NULL;
	}
	if (!jstr(b, "bootloader") || !json_object_get(b, "bootloader_in"))
		return;
	remove_ours(x, jstr(b, "kernel"));
	remove_ours(x, jstr(b, "ramdisk"));
}

static void set_or_del(json_t *o, const char *key, const char *val)
{
	if (val && *val)
		json_object_set_new(o, key, json_string(val));
	else
		json_object_del(o, key);
}

int boot_start(struct xend *x, struct domain *d, char **msg)
{
	json_t *b = json_object_get(d->config, "b_info"), *in, *disk;
	const char *bl = jstr(b, "bootloader"), *dpath, *blargs;
	char exe[512], outdir[300], odarg[320], errl[300];
	char *argv[BOOT_MAX_ARGS + 12], *kargs[3] = { NULL }, *bla = NULL;
	int n = 0, rc;

	if (!bl)
		return 0;
	disk = json_array_get(json_object_get(d->config, "disks"), 0);
	dpath = jstr(disk, "pdev_path");
	if (!dpath || !*dpath) {
		*msg = xend_strdup_printf("bootloader %s: the domain '%s' has no "
					  "disk to boot from", bl, d->name);
		return 1;
	}
	if (jstr(disk, "format") && strcmp(jstr(disk, "format"), "raw")) {
		*msg = xend_strdup_printf("bootloader %s: cannot read the %s "
					  "disk %s (raw images and devices "
					  "only)", bl, jstr(disk, "format"),
					  dpath);
		return 1;
	}
	if (!find_exe(x, bl, exe, sizeof(exe))) {
		*msg = xend_strdup_printf("bootloader %s: %s is not an "
					  "executable program", bl, exe);
		return 1;
	}
	/* What the config itself says, kept for restarts. */
	in = json_object_get(b, "bootloader_in");
	if (!in) {
		in = json_pack("{s:s?, s:s?, s:s?}", "kernel", jstr(b, "kernel"),
			       "ramdisk", jstr(b, "ramdisk"), "cmdline",
			       jstr(b, "cmdline"));
		if (!in || json_object_set_new(b, "bootloader_in", in)) {
			*msg = strdup("out of memory");
			return 1;
		}
	}
	snprintf(outdir, sizeof(outdir), "%s/boot", x->o.run_dir);
	if (mkdir(outdir, 0700) < 0 && errno != EEXIST) {
		*msg = xend_strdup_printf("bootloader %s: cannot create %s: %s",
					  bl, outdir, strerror(errno));
		return 1;
	}
	snprintf(odarg, sizeof(odarg), "--output-directory=%s", outdir);
	argv[n++] = exe;
	argv[n++] = "-q";
	argv[n++] = odarg;
	/* Ours reads the guest's disk as nobody (Xen's --runas, XSA-443). */
	if (is_pygrub(bl) && geteuid() == 0 && getpwnam(BOOT_RUNAS))
		argv[n++] = "--runas=" BOOT_RUNAS;
	if (jstr(in, "kernel") &&
	    asprintf(&kargs[0], "--kernel=%s", jstr(in, "kernel")) > 0)
		argv[n++] = kargs[0];
	if (jstr(in, "ramdisk") &&
	    asprintf(&kargs[1], "--ramdisk=%s", jstr(in, "ramdisk")) > 0)
		argv[n++] = kargs[1];
	if (jstr(in, "cmdline") &&
	    asprintf(&kargs[2], "--args=%s", jstr(in, "cmdline")) > 0)
		argv[n++] = kargs[2];
	blargs = jstr(b, "bootloader_args");
	if (blargs && (bla = strdup(blargs))) { /* xm joined them with ' ' */
		char *save = NULL;

		for (char *w = strtok_r(bla, " ", &save); w && n < BOOT_MAX_ARGS;
		     w = strtok_r(NULL, " ", &save))
			argv[n++] = w;
	}
	argv[n++] = (char *)dpath;
	argv[n] = NULL;
	d->boot = calloc(1, sizeof(*d->boot));
	rc = d->boot ? run_start(argv, d->boot, errl, sizeof(errl)) : -1;
	free(bla);
	for (int i = 0; i < 3; i++)
		free(kargs[i]);
	if (rc == 0)
		return 0;
	*msg = xend_strdup_printf("bootloader %s cannot run: %s", bl,
				  d->boot ? errl : "out of memory");
	free(d->boot);
	d->boot = NULL;
	return 1;
}

int boot_poll(struct xend *x, struct domain *d, char **msg)
{
	json_t *b = json_object_get(d->config, "b_info");
	const char *bl = jstr(b, "bootloader");
	const char *dpath = jstr(json_array_get(json_object_get(d->config,
								"disks"), 0),
				 "pdev_path");
	char *kernel = NULL, *ramdisk = NULL, *args = NULL, *out, errl[300];
	int rc;

	if (!d->boot)
		return 0;
	if (run_poll(d->boot))
		return 1;
	rc = run_result(d->boot, errl, sizeof(errl));
	out = d->boot->out;
	if (rc == 0 && parse_answer(out, &kernel, &ramdisk, &args) == 0) {
		set_or_del(b, "kernel", kernel);
		set_or_del(b, "ramdisk", ramdisk);
		set_or_del(b, "cmdline", args);
		log_info("%s: bootloader %s on %s: kernel %s%s%s", d->name, bl,
			 dpath, kernel, ramdisk ? ", ramdisk " : "",
			 ramdisk ? ramdisk : "");
		free(kernel);
		free(ramdisk);
		free(args);
		run_stop(d->boot);
		d->boot = NULL;
		return 0;
	}
	if (rc == 0) { /* it said something we do not understand */
		char *k2 = NULL, *r2 = NULL;

		sxp_field(out, "kernel", &k2);
		sxp_field(out, "ramdisk", &r2);
		remove_ours(x, k2);
		remove_ours(x, r2);
		free(k2);
		free(r2);
		snprintf(errl, sizeof(errl), "unexpected answer '%.80s'", out);
	}
	free(kernel);
	free(ramdisk);
	free(args);
	*msg = xend_strdup_printf("bootloader %s failed on disk %s: %s", bl,
				  dpath, *errl ? errl : rc > 0 ?
				  "it exited with an error" : "it crashed");
	run_stop(d->boot);
	d->boot = NULL;
	return -1;
}
