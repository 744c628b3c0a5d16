/* bootloader/pygrub.c: kxen-pygrub, Xen's pygrub for kxen.
 *
 *   kxen-pygrub [-q] [-n] [-l] [--entry=N|TITLE] [--kernel=P] [--ramdisk=P]
 *               [--args=A] [--output=FILE] [--output-directory=DIR]
 *               [--output-format=sxp|simple|simple0] DISK
 *
 * Finds the guest's boot menu on DISK (a whole-disk ext2/3/4 image, or the
 * first partition of an MBR or GPT disk that holds one, Linux partitions
 * first): /boot/grub/grub.cfg, grub2's, then extlinux.conf, else the
 * /vmlinuz and /initrd.img links. It copies
 * the chosen kernel (as an ELF vmlinux, which is what kxen-monitor boots:
 * a bzImage is decompressed here, see kimage.h) and its initrds (several
 * are concatenated, as the kernel accepts) into DIR, by default
 * /var/run/xend/boot, and prints what Xen's pygrub prints for xend:
 *
 *   linux (kernel /var/run/xend/boot/boot_kernel.XXXXXX)(ramdisk ...)(args "...")
 *
 * --args is appended to the menu's arguments, as pygrub does; --kernel and
 * --ramdisk replace the menu's paths (inside the guest). No curses menu:
 * -i is accepted and means -q. The disk is read by a child process
 * (privsep.h), as --runas=USER when given; this process only opens the
 * disk and creates the output files before it, and prints the answer
 * after. Exit 0 done, 1 error (one line on stderr naming the disk and the
 * path), 2 usage. */
#include "bootloader/bootcfg.h"
#include "bootloader/diskfs.h"
#include "bootloader/kimage.h"
#include "bootloader/privsep.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_KERNEL (128u << 20)  /* a vmlinuz as read from the guest */
#define MAX_INITRD (1024u << 20) /* all initrds together */
#define MAX_CFG BOOTCFG_MAX_INPUT

enum fmt { FMT_SXP, FMT_SIMPLE, FMT_SIMPLE0 };

struct opts {
	const char *disk, *output, *outdir, *entry;
	const char *kernel, *ramdisk, *args, *runas;
	enum fmt fmt;
	bool not_really, list, quiet, raw;
	/* Opened before the disk reader starts (it cannot open files). */
	int disk_fd, kfd, rfd;
	char *kpath, *rpath;
};

#define MAX_ARGS 4096 /* Linux takes 2048 on x86 */

/* What to boot, as paths inside the guest. */
struct choice {
	char *kernel;
	char *initrd[BOOTCFG_MAX_INITRDS];
	size_t n_initrd;
	char *args;
	char source[64]; /* the config file it came from */
};

static const char *prog = "kxen-pygrub";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [-q|--quiet] [-i|--interactive] [-l|--list-entries] "
		"[-n|--not-really]\n"
		"       [--output=FILE] [--output-format=sxp|simple|simple0] "
		"[--output-directory=DIR]\n"
		"       [--entry=N|TITLE] [--kernel=PATH] [--ramdisk=PATH] "
		"[--args=ARGS] [--raw-kernel] [--runas=USER] DISK\n"
		"Boot a guest from the kernel inside its disk: copy the kernel "
		"and initrd named\nby the disk's grub.cfg or extlinux.conf out "
		"to DIR (default /var/run/xend/boot)\nand print them for xend "
		"as (kernel ...)(ramdisk ...)(args \"...\").\n", prog);
}

static void choice_free(struct choice *c)
{
	free(c->kernel);
	for (size_t i = 0; i < c->n_initrd; i++)
		free(c->initrd[i]);
	free(c->args);
	memset(c, 0, sizeof(*c));
}

static int choice_from_entry(struct choice *c, const struct boot_entry *e)
{
	c->kernel = strdup(e->kernel);
	c->args = strdup(e->args);
	if (!c->kernel || !c->args)
		return -ENOMEM;
	for (size_t i = 0; i < e->n_initrd; i++) {
		c->initrd[i] = strdup(e->initrd[i]);
		if (!c->initrd[i])
			return -ENOMEM;
		c->n_initrd++;
	}
	return 0;
}

static void list_entries(const struct bootcfg *cfg)
{
	for (size_t i = 0; i < cfg->n; i++) {
		const struct boot_entry *e = &cfg->entries[i];

		printf("title: %s\n", e->title);
		printf("  kernel: %s\n", e->kernel ? e->kernel : "(none)");
		printf("  args: %s\n", e->args);
		for (size_t j = 0; j < e->n_initrd; j++)
			printf("  initrd: %s\n", e->initrd[j]);
	}
}

/* The boot menu of the filesystem d: 1 found (*c filled), 0 none, or a
 * negative errno with err set (a menu that is there but unusable). */
static int read_menu(struct diskfs *d, const struct opts *o, struct choice *c,
		     char *err, size_t errlen)
{
	static const struct {
		const char *path, *base;
		bool grub;
	} menus[] = {
		{ "/boot/grub/grub.cfg", NULL, true },
		{ "/boot/grub2/grub.cfg", NULL, true },
		{ "/grub/grub.cfg", NULL, true }, /* a separate /boot */
		{ "/grub2/grub.cfg", NULL, true },
		{ "/boot/extlinux/extlinux.conf", "/boot/extlinux", false },
		{ "/extlinux/extlinux.conf", "/extlinux", false },
		{ "/boot/extlinux.conf", "/boot", false },
		{ "/extlinux.conf", "/", false },
	};
	char perr[200];

	for (size_t i = 0; i < sizeof(menus) / sizeof(*menus); i++) {
		struct bootcfg cfg;
		void *buf;
		size_t len;
		int rc, idx;

		if (!diskfs_exists(d, menus[i].path))
			continue;
		rc = diskfs_read(d, menus[i].path, MAX_CFG, &buf, &len, err,
				 errlen);
		if (rc)
			return rc;
		rc = menus[i].grub
			? bootcfg_parse_grub(buf, len, &cfg, perr, sizeof(perr))
			: bootcfg_parse_extlinux(buf, len, menus[i].base, &cfg,
						 perr, sizeof(perr));
		free(buf);
		if (rc) {
			snprintf(err, errlen, "%s: %s: %s", o->disk,
				 menus[i].path, rc == -ENOMEM ? "out of memory"
							      : perr);
			bootcfg_free(&cfg);
			return rc;
		}
		if (o->list) {
			list_entries(&cfg);
			bootcfg_free(&cfg);
			return 1;
		}
		idx = bootcfg_choose(&cfg, o->entry);
		if (idx < 0) {
			snprintf(err, errlen, "%s: %s: %s", o->disk,
				 menus[i].path, o->entry ?
				 "--entry names no entry with a kernel" :
				 "no menu entry has a kernel");
			bootcfg_free(&cfg);
			return -ENOENT;
		}
		rc = choice_from_entry(c, &cfg.entries[idx]);
		bootcfg_free(&cfg);
		snprintf(c->source, sizeof(c->source), "%s", menus[i].path);
		return rc ? rc : 1;
	}
	return 0;
}

/* No menu: Debian's /vmlinuz and /initrd.img links (or /boot's). */
static int default_links(struct diskfs *d, struct choice *c)
{
	static const char *const k[] = { "/vmlinuz", "/boot/vmlinuz" };
	static const char *const r[] = { "/initrd.img", "/boot/initrd.img" };

	for (size_t i = 0; i < 2; i++) {
		if (!diskfs_exists(d, k[i]))
			continue;
		c->kernel = strdup(k[i]);
		c->args = strdup("");
		if (diskfs_exists(d, r[i]))
			c->initrd[c->n_initrd++] = strdup(r[i]);
		if (!c->kernel || !c->args || (c->n_initrd && !c->initrd[0]))
			return -ENOMEM;
		snprintf(c->source, sizeof(c->source), "%s", k[i]);
		return 1;
	}
	return 0;
}

/* The overrides: --kernel, --ramdisk replace; --args is appended. */
static int apply_overrides(const struct opts *o, struct choice *c)
{
	if (o->kernel) {
		free(c->kernel);
		c->kernel = strdup(o->kernel);
		if (!c->kernel)
			return -ENOMEM;
	}
	if (o->ramdisk) {
		for (size_t i = 0; i < c->n_initrd; i++)
			free(c->initrd[i]);
		c->n_initrd = 0;
		if (*o->ramdisk) {
			c->initrd[0] = strdup(o->ramdisk);
			if (!c->initrd[0])
				return -ENOMEM;
			c->n_initrd = 1;
		}
	}
	if (!c->args)
		c->args = strdup("");
	if (o->args && *o->args) {
		char *a;

		if (asprintf(&a, "%s%s%s", c->args ? c->args : "",
			     c->args && *c->args ? " " : "", o->args) < 0)
			return -ENOMEM;
		free(c->args);
		c->args = a;
	}
	return c->args ? 0 : -ENOMEM;
}

/* Write len bytes to fd (the output file named path). */
static int write_fd(int fd, const char *path, const void *buf, size_t len,
		    char *err, size_t errlen)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "cannot write %s: %s", path,
				 n < 0 ? strerror(errno) : "short write");
			return -EIO;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A new DIR/boot_<kind>.XXXXXX, open for writing: its fd, or -1. */
static int new_out(const char *dir, const char *kind, char **path, char *err,
		   size_t errlen)
{
	int fd;

	if (asprintf(path, "%s/boot_%s.XXXXXX", dir, kind) < 0) {
		*path = NULL;
		return -1;
	}
	fd = mkostemp(*path, O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", *path,
			 strerror(errno));
		free(*path);
		*path = NULL;
	}
	return fd;
}

static int mkdir_p(const char *dir)
{
	char tmp[4096];
	size_t n = strlen(dir);

	if (n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, dir, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Copy the kernel (as an ELF) and the initrds (concatenated) out of d,
 * into the output files opened for us. */
static int extract(struct diskfs *d, const struct opts *o,
		   const struct choice *c, char *err, size_t errlen)
{
	const uint8_t *elf;
	uint8_t *all = NULL;
	size_t elf_len, total = 0;
	void *buf;
	size_t len;
	char kerr[160];
	int rc, copied;

	rc = diskfs_read(d, c->kernel, MAX_KERNEL, &buf, &len, err, errlen);
	if (rc)
		return rc;
	if (o->raw) {
		elf = buf;
		elf_len = len;
		copied = 0;
	} else {
		rc = kimage_to_elf(buf, len, KIMAGE_MAX_ELF, &elf, &elf_len,
				   &copied, kerr, sizeof(kerr));
		if (rc) {
			snprintf(err, errlen, "%s: %s: %s", o->disk, c->kernel,
				 kerr);
			free(buf);
			return rc;
		}
	}
	rc = write_fd(o->kfd, o->kpath, elf, elf_len, err, errlen);
	if (copied)
		free((void *)elf);
	free(buf);
	for (size_t i = 0; i < c->n_initrd && !rc; i++) {
		uint8_t *p;

		rc = diskfs_read(d, c->initrd[i], MAX_INITRD - total, &buf,
				 &len, err, errlen);
		if (rc)
			break;
		p = realloc(all, total + len + 1);
		if (!p) {
			free(buf);
			rc = -ENOMEM;
			break;
		}
		all = p;
		memcpy(all + total, buf, len);
		total += len;
		free(buf);
	}
	if (!rc && c->n_initrd)
		rc = write_fd(o->rfd, o->rpath, all, total, err, errlen);
	free(all);
	return rc;
}

/* Print the result in pygrub's format: SXP for xend (xm's
 * `linux (kernel K)(ramdisk R)(args "A")`, no newline), or "simple"
 * lines ending in an empty one (simple0: NULs instead of newlines). */
static int emit(const struct opts *o, const char *k, const char *r,
		const char *args, char *err, size_t errlen)
{
	char *s = NULL;
	size_t len = 0;
	int fd = 1, rc = 0;
	FILE *m = open_memstream(&s, &len);

	if (!m)
		return -ENOMEM;
	if (o->fmt == FMT_SXP) {
		fprintf(m, "linux (kernel %s)", k);
		if (r)
			fprintf(m, "(ramdisk %s)", r);
		if (*args)
			fprintf(m, "(args \"%s\")", args);
	} else {
		char sep = o->fmt == FMT_SIMPLE ? '\n' : '\0';

		fprintf(m, "kernel %s%c", k, sep);
		if (r)
			fprintf(m, "ramdisk %s%c", r, sep);
		if (*args)
			fprintf(m, "args %s%c", args, sep);
		fputc(sep, m);
	}
	if (fclose(m) || !s)
		return -ENOMEM;
	if (o->output && strcmp(o->output, "-")) {
		fd = open(o->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  0600);
		if (fd < 0) {
			snprintf(err, errlen, "cannot open %s: %s", o->output,
				 strerror(errno));
			free(s);
			return -EIO;
		}
	}
	if (write(fd, s, len) != (ssize_t)len) {
		snprintf(err, errlen, "cannot write %s: %s",
			 o->output ? o->output : "stdout", strerror(errno));
		rc = -EIO;
	}
	if (fd != 1)
		close(fd);
	else if (o->fmt == FMT_SXP && isatty(1))
		(void)!write(1, "\n", 1);
	free(s);
	return rc;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	enum { O_OUTPUT = 256, O_FORMAT, O_DIR, O_ENTRY, O_KERNEL, O_RAMDISK,
	       O_ARGS, O_RAW, O_DEBUG, O_RUNAS };
	static const struct option lo[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "list-entries", no_argument, NULL, 'l' },
		{ "not-really", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, O_OUTPUT },
		{ "output-format", required_argument, NULL, O_FORMAT },
		{ "output-directory", required_argument, NULL, O_DIR },
		{ "entry", required_argument, NULL, O_ENTRY },
		{ "kernel", required_argument, NULL, O_KERNEL },
		{ "ramdisk", required_argument, NULL, O_RAMDISK },
		{ "args", required_argument, NULL, O_ARGS },
		{ "raw-kernel", no_argument, NULL, O_RAW },
		{ "runas", required_argument, NULL, O_RUNAS },
		{ "debug", no_argument, NULL, O_DEBUG },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->outdir = "/var/run/xend/boot";
	while ((c = getopt_long(argc, argv, "qilnh", lo, NULL)) != -1) {
		switch (c) {
		case 'q': case 'i': o->quiet = true; break;
		case 'l': o->list = true; break;
		case 'n': o->not_really = true; break;
		case 'h': usage(stdout); exit(0);
		case O_OUTPUT: o->output = optarg; break;
		case O_DIR: o->outdir = optarg; break;
		case O_ENTRY: o->entry = optarg; break;
		case O_KERNEL: o->kernel = optarg; break;
		case O_RAMDISK: o->ramdisk = optarg; break;
		case O_ARGS: o->args = optarg; break;
		case O_RAW: o->raw = true; break;
		case O_RUNAS: o->runas = optarg; break;
		case O_DEBUG: break;
		case O_FORMAT:
			if (!strcmp(optarg, "sxp"))
				o->fmt = FMT_SXP;
			else if (!strcmp(optarg, "simple"))
				o->fmt = FMT_SIMPLE;
			else if (!strcmp(optarg, "simple0"))
				o->fmt = FMT_SIMPLE0;
			else {
				fprintf(stderr, "%s: unknown output format '%s'"
					"\n", prog, optarg);
				return -EINVAL;
			}
			break;
		default:
			return -EINVAL;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "%s: %s\n", prog, optind >= argc ?
			"no disk image given" : "more than one disk image given");
		return -EINVAL;
	}
	o->disk = argv[optind];
	if (!*o->outdir) {
		fprintf(stderr, "%s: --output-directory is empty\n", prog);
		return -EINVAL;
	}
	return 0;
}

/* A GPT disk's partitions (and 0 last), or 0 if it has none we read. */
static int gpt_offsets(int fd, uint64_t size, uint64_t *offs)
{
	uint8_t hdr[512], *ents;
	uint64_t lba;
	size_t bytes;
	int n;

	if (pread(fd, hdr, sizeof(hdr), 512) != (ssize_t)sizeof(hdr) ||
	    diskfs_gpt_offsets(hdr, NULL, 0, size, offs, 0, &lba, &bytes) < 0 ||
	    lba > UINT64_MAX / 512 || !bytes)
		return 0;
	ents = malloc(bytes);
	if (!ents)
		return 0;
	n = pread(fd, ents, bytes, (off_t)(lba * 512)) == (ssize_t)bytes
		? diskfs_gpt_offsets(hdr, ents, bytes, size, offs,
				     DISKFS_MAX_PARTS, &lba, &bytes)
		: 0;
	free(ents);
	if (n < 0)
		n = 0;
	offs[n++] = 0;
	return n;
}

/* The first filesystem of the disk that holds a menu or a kernel. */
static int find_boot(const struct opts *o, struct diskfs **dout,
		     struct choice *c, char *err, size_t errlen)
{
	uint64_t offs[DISKFS_MAX_PARTS + 1], size;
	uint8_t s0[512] = { 0 };
	struct stat st;
	int n, rc = 0;
	char ferr[256] = "";

	if (fstat(o->disk_fd, &st) < 0 ||
	    pread(o->disk_fd, s0, sizeof(s0), 0) < 0) {
		snprintf(err, errlen, "%s: %s", o->disk, strerror(errno));
		return -EIO;
	}
	size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	n = diskfs_is_gpt(s0) ? gpt_offsets(o->disk_fd, size, offs) : 0;
	if (n <= 0)
		n = diskfs_offsets(s0, size, offs);
	for (int i = 0; i < n; i++) {
		struct diskfs *d;

		rc = diskfs_open(o->disk, o->disk_fd, offs[i], &d, ferr,
				 sizeof(ferr));
		if (rc)
			continue;
		rc = o->kernel ? 0 : read_menu(d, o, c, err, errlen);
		if (rc == 0 && !o->list)
			rc = o->kernel ? 1 : default_links(d, c);
		if (rc < 0) {
			diskfs_close(d);
			return rc;
		}
		if (rc == 1 || o->list) {
			*dout = d;
			return o->list ? 0 : apply_overrides(o, c);
		}
		diskfs_close(d);
		snprintf(ferr, sizeof(ferr), "%s: no grub.cfg, extlinux.conf "
			 "or /vmlinuz in the filesystem at byte %llu", o->disk,
			 (unsigned long long)offs[i]);
	}
	snprintf(err, errlen, "%s", *ferr ? ferr : "no filesystem found");
	return -ENOENT;
}

/* The disk reader's reply: 'O', '1' if the ramdisk file was written,
 * then kernel, ramdisk ("" for none) and args, each ending in a NUL; or
 * 'E' and a message; or 'L' (it printed the list). */
static size_t reply(char *buf, char kind, bool ramdisk, const char *k,
		    const char *r, const char *a)
{
	size_t n = 0, lk, lr, la;

	buf[n++] = kind;
	if (kind != 'O')
		return n + (size_t)snprintf(buf + n, PRIVSEP_REPLY_MAX - n,
					    "%s", k) + 1;
	buf[n++] = ramdisk ? '1' : '0';
	lk = strlen(k) + 1;
	lr = strlen(r ? r : "") + 1;
	la = strlen(a) + 1;
	if (n + lk + lr + la > PRIVSEP_REPLY_MAX)
		return reply(buf, 'E', false, "the answer is too long", NULL,
			     NULL);
	memcpy(buf + n, k, lk);
	memcpy(buf + n + lk, r ? r : "", lr);
	memcpy(buf + n + lk + lr, a, la);
	return n + lk + lr + la;
}

/* Everything that reads the guest's disk; runs in the disk reader. */
static size_t reader(void *arg, char *buf)
{
	const struct opts *o = arg;
	struct choice c = { 0 };
	struct diskfs *d = NULL;
	char err[512] = "", *nk = NULL, *nr = NULL;
	size_t n;
	int rc;

	rc = find_boot(o, &d, &c, err, sizeof(err));
	if (!rc && !o->list && strlen(c.args) > MAX_ARGS) {
		snprintf(err, sizeof(err), "%s: the kernel command line is "
			 "longer than %d bytes", o->disk, MAX_ARGS);
		rc = -E2BIG;
	}
	if (rc || o->list)
		goto out;
	if (o->not_really) {
		const char *missing = diskfs_exists(d, c.kernel) ? NULL :
				      c.kernel;

		for (size_t i = 0; i < c.n_initrd && !missing; i++)
			if (!diskfs_exists(d, c.initrd[i]))
				missing = c.initrd[i];
		if (missing) {
			snprintf(err, sizeof(err), "%s: %s: no such file",
				 o->disk, missing);
			rc = -ENOENT;
		} else if (asprintf(&nk, "<kernel:%s>", c.kernel) < 0 ||
			   (c.n_initrd && asprintf(&nr, "<ramdisk:%s>",
						   c.initrd[0]) < 0)) {
			rc = -ENOMEM;
		}
		goto out;
	}
	rc = extract(d, o, &c, err, sizeof(err));
out:
	if (rc == -ENOMEM && !*err)
		snprintf(err, sizeof(err), "out of memory");
	if (rc)
		n = reply(buf, 'E', false, *err ? err : strerror(-rc), NULL,
			  NULL);
	else if (o->list)
		n = reply(buf, 'L', false, "", NULL, NULL);
	else
		n = reply(buf, 'O', c.n_initrd > 0, nk ? nk : "", nr, c.args);
	diskfs_close(d);
	choice_free(&c);
	free(nk);
	free(nr);
	return n;
}

/* Open the disk and the output files, as we are (root for xend). */
static int prepare(struct opts *o, char *err, size_t errlen)
{
	int rc;

	o->disk_fd = open(o->disk, O_RDONLY | O_CLOEXEC);
	if (o->disk_fd < 0) {
		snprintf(err, errlen, "%s: %s", o->disk, strerror(errno));
		return -ENOENT;
	}
	if (o->list || o->not_really)
		return 0;
	rc = mkdir_p(o->outdir);
	if (rc) {
		snprintf(err, errlen, "cannot create %s: %s", o->outdir,
			 strerror(-rc));
		return rc;
	}
	o->kfd = new_out(o->outdir, "kernel", &o->kpath, err, errlen);
	if (o->kfd < 0)
		return -EIO;
	o->rfd = new_out(o->outdir, "ramdisk", &o->rpath, err, errlen);
	return o->rfd < 0 ? -EIO : 0;
}

int main(int argc, char **argv)
{
	static char buf[PRIVSEP_REPLY_MAX];
	struct opts o = { .disk_fd = -1, .kfd = -1, .rfd = -1 };
	char err[512] = "";
	size_t len = 0;
	uid_t uid;
	gid_t gid;
	bool keep = false, keep_r = false;
	int rc;

	if (parse_opts(argc, argv, &o)) {
		usage(stderr);
		return 2;
	}
	if (privsep_user(o.runas ? o.runas : "", &uid, &gid)) {
		fprintf(stderr, "%s: --runas=%s: no such user\n", prog, o.runas);
		return 2;
	}
	rc = prepare(&o, err, sizeof(err));
	if (!rc)
		rc = privsep_run(uid, gid, reader, &o, buf, &len, err,
				 sizeof(err));
	if (!rc) {
		buf[len - 1] = 0; /* the reply ends in a NUL */
		if (buf[0] == 'E') {
			snprintf(err, sizeof(err), "%.500s", buf + 1);
			rc = -EIO;
		} else if (buf[0] == 'O' && len > 2) {
			const char *k = buf + 2, *r = k + strlen(k) + 1;
			const char *a = r < buf + len ? r + strlen(r) + 1 : "";

			if (a >= buf + len)
				a = "";
			keep_r = buf[1] == '1';
			rc = emit(&o, o.not_really ? k : o.kpath,
				  o.not_really ? (*r ? r : NULL)
					       : keep_r ? o.rpath : NULL,
				  a, err, sizeof(err));
			keep = !rc;
		} else if (buf[0] != 'L') {
			snprintf(err, sizeof(err), "the disk reader's answer "
				 "makes no sense");
			rc = -EIO;
		}
	}
	if (rc)
		fprintf(stderr, "%s: %s\n", prog, *err ? err : strerror(-rc));
	if (o.kpath && !keep)
		unlink(o.kpath);
	if (o.rpath && !(keep && keep_r))
		unlink(o.rpath);
	free(o.kpath);
	free(o.rpath);
	return rc ? 1 : 0;
}
