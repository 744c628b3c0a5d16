/* config/cfg.h: the domain config file library (the one public header).
 *
 * Bytes of an xm (Python-syntax subset) or xl.cfg file go in; a plain
 * struct dom_config, or one error with its position, comes out. The library
 * does no I/O of its own and prints nothing: host facts (memory, whether a
 * kernel file exists) come in through struct cfg_host, messages go out
 * through struct cfg_diag, and only the caller prints them. It includes
 * nothing but libc and lib/, so dry runs, fuzzers and tests parse configs
 * with nothing running.
 *
 * Error convention: 0 or a negative errno; on -EINVAL the diag's error says
 * where and why. Results are owned by the caller and freed with the
 * matching *_free function. */
#ifndef KXEN_CONFIG_CFG_H
#define KXEN_CONFIG_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CFG_MAX_VCPUS 128
#define CFG_MAX_CPUS 1024 /* host CPU numbers accepted in cpus= */
#define CFG_PHRASE_MAX 256

/* One message. file points at the name the caller passed in (it must
 * outlive the diag); line 0 means "the whole file", col 0 "unknown". */
struct cfg_msg {
	const char *file;
	int line;
	int col;
	char phrase[CFG_PHRASE_MAX];
};

/* What a cfg_* call reports: at most one error, any number of warnings
 * (options recognised but not supported yet, overridden settings...). */
struct cfg_diag {
	bool has_error;
	struct cfg_msg error;
	struct cfg_msg *warnings;
	size_t n_warnings;
};

void cfg_diag_init(struct cfg_diag *diag);
void cfg_diag_free(struct cfg_diag *diag);
/* "file:line:col: phrase" into buf (truncated to len). */
void cfg_msg_format(const struct cfg_msg *m, char *buf, size_t len);

/* Facts about the host, passed in so the library stays pure. */
struct cfg_host {
	uint64_t mem_mb; /* memory the host can give; 0 = no limit */
	/* 0 if path names a readable regular file, else a negative errno.
	 * NULL: files are not checked. */
	int (*path_check)(void *opaque, const char *path);
	void *opaque;
};

enum cfg_guest_type {
	CFG_TYPE_PVH, /* the default: kernel= entered at its PVH entry */
	CFG_TYPE_HVM,
	CFG_TYPE_PV,
};

enum cfg_action {
	CFG_ACTION_DESTROY,
	CFG_ACTION_RESTART,
	CFG_ACTION_PRESERVE,
	CFG_ACTION_RENAME_RESTART,
	CFG_ACTION_COREDUMP_DESTROY,
	CFG_ACTION_COREDUMP_RESTART,
};

/* xm's managed-domain options: what xend does with the domain when xend
 * itself starts or stops. */
enum cfg_xend_action {
	CFG_XEND_IGNORE, /* the default */
	CFG_XEND_START,
	CFG_XEND_SHUTDOWN,
	CFG_XEND_SUSPEND,
};

enum cfg_disk_backend {
	CFG_DISK_FILE, /* file:  (loop device / plain file) */
	CFG_DISK_PHY,  /* phy:   (block device) */
	CFG_DISK_TAP,  /* tap:<format>: (blktap) and xl's qdisk */
};

enum cfg_disk_format {
	CFG_FORMAT_RAW,
	CFG_FORMAT_QCOW,
	CFG_FORMAT_QCOW2,
	CFG_FORMAT_VHD,
	CFG_FORMAT_QED,
};

enum cfg_disk_mode {
	CFG_MODE_R,
	CFG_MODE_W,
	CFG_MODE_W_FORCE, /* w!: writable even if another domain has it */
};

struct cfg_disk {
	enum cfg_disk_backend backend;
	enum cfg_disk_format format;
	enum cfg_disk_mode mode;
	bool cdrom;
	char *target; /* path; "" for an empty cdrom drive */
	char *vdev;   /* xvda, hdc, sdb1 (without ":cdrom") */
	char *script; /* xl script=, or NULL */
	int line;     /* where the spec was written */
};

struct cfg_vif {
	char *mac; /* lower case "00:16:3e:xx:xx:xx", NULL: xend picks one */
	char *bridge;
	char *ip; /* one or more addresses, separated by spaces */
	char *script;
	char *vifname;
	char *rate;
	char *model;
	char *type;
	char *backend;
	int line;
};

#define CFG_CPUMAP_WORDS (CFG_MAX_CPUS / 64)

struct dom_config {
	char *name;
	bool has_uuid;
	uint8_t uuid[16];
	enum cfg_guest_type type;
	char *kernel;
	char *ramdisk;
	char *root;
	char *extra;
	char *cmdline; /* xl's cmdline=; NULL if root/extra are used */
	char *bootloader;
	char *bootloader_args;
	uint64_t memory_mb;
	uint64_t maxmem_mb; /* == memory_mb unless maxmem= is given */
	unsigned vcpus;
	unsigned maxvcpus; /* == vcpus unless maxvcpus= is given */
	bool has_cpus;
	uint64_t cpumap[CFG_CPUMAP_WORDS]; /* cpus=, resolved */
	enum cfg_action on_poweroff;
	enum cfg_action on_reboot;
	enum cfg_action on_crash;
	enum cfg_xend_action on_xend_start; /* ignore or start */
	enum cfg_xend_action on_xend_stop;  /* ignore, shutdown or suspend */
	struct cfg_disk *disks;
	size_t n_disks;
	struct cfg_vif *vifs;
	size_t n_vifs;
};

/* Parse and validate a config file held in buf[0..len) (need not be NUL
 * terminated), then apply the "name=value" overrides in order (as given on
 * xm's command line: a list option such as disk= or vif= gets the value
 * appended, any other option is replaced), then check the whole: required
 * options, bounds, host limits, duplicate vdevs and MACs, kernel file.
 * file names the source in messages. On success *out is a new config the
 * caller frees with cfg_dom_free(). Fails with -EINVAL (diag->error set)
 * or -ENOMEM. Warnings are added to diag in either case. */
__attribute__((warn_unused_result)) int
cfg_load(const char *file, const char *buf, size_t len,
	 const char *const *overrides, size_t n_overrides,
	 const struct cfg_host *host, struct dom_config **out,
	 struct cfg_diag *diag);

void cfg_dom_free(struct dom_config *c);

/* Single spec parsers, also used by cfg_load. On error the phrase (no
 * position) is written to err[0..errlen) and -EINVAL returned. The result
 * is the caller's; free it with cfg_disk_clear()/cfg_vif_clear(). */
__attribute__((warn_unused_result)) int
cfg_disk_parse(const char *spec, struct cfg_disk *out, char *err,
	       size_t errlen);
void cfg_disk_clear(struct cfg_disk *d);
__attribute__((warn_unused_result)) int
cfg_vif_parse(const char *spec, struct cfg_vif *out, char *err, size_t errlen);
void cfg_vif_clear(struct cfg_vif *v);
/* xl's vif rate= ("10Mb/s", "1MB/s@20ms": bytes or bits per second, then
 * the replenishment interval, 50 ms unless given) as libxl stores it:
 * bytes per interval and the interval in microseconds. -EINVAL or
 * -EOVERFLOW with a phrase. */
__attribute__((warn_unused_result)) int
cfg_vif_rate(const char *s, uint64_t *bytes_per_interval,
	     uint32_t *interval_us, char *err, size_t errlen);
/* "0-3,^2" into map (CFG_CPUMAP_WORDS words); -EINVAL with a phrase. */
__attribute__((warn_unused_result)) int
cfg_cpus_parse(const char *s, uint64_t *map, char *err, size_t errlen);

/* Names used in the dumps ("destroy", "pvh", "xvda"...). */
const char *cfg_action_name(enum cfg_action a);
const char *cfg_type_name(enum cfg_guest_type t);
const char *cfg_format_name(enum cfg_disk_format f);
const char *cfg_xend_action_name(enum cfg_xend_action a);
/* The Xen device number of a vdev ("xvda" 51712, "xvdb1" 51729, "hdc"
 * 5632, "sda" 2048), as libxl computes it; -1 if invalid. */
int cfg_vdev_number(const char *vdev);

/* The xm "uname" of a disk: "file:/p", "phy:/dev/x", "tap:qcow2:/p". */
int cfg_disk_uname(const struct cfg_disk *d, char *buf, size_t len);
/* The kernel command line: cmdline=, else "root=<root> <extra>". Caller
 * frees; NULL on -ENOMEM or when there is nothing to say (*out = NULL). */
__attribute__((warn_unused_result)) int
cfg_cmdline(const struct dom_config *c, char **out);
/* "0-1,3" for the cpumap; buf gets "" when no CPU is set. */
void cfg_cpus_format(const uint64_t *map, char *buf, size_t len);

/* The config as xm's dry run prints it: (vm (name x) ... ), one form per
 * line, ending in a newline. Returns 0 or -EIO if f fails. */
__attribute__((warn_unused_result)) int cfg_sxp_dump(const struct dom_config *c,
						     FILE *f);
/* The config as JSON in the shape of xl's libxl_domain_config dump, a new
 * jansson object in *out. 0, -ENOMEM, or -EILSEQ when a value is not
 * UTF-8 (JSON strings must be). */
struct json_t;
__attribute__((warn_unused_result)) int
cfg_json(const struct dom_config *c, struct json_t **out);
/* The same printed to f, four-space indented, ending in a newline: 0,
 * -EIO if f fails, or cfg_json's error. */
__attribute__((warn_unused_result)) int
cfg_json_dump(const struct dom_config *c, FILE *f);

/* The entry of names (NULL-ended) closest to word by edit distance, or
 * NULL if none is close enough: the "did you mean" of every message. */
const char *cfg_closest(const char *word, const char *const *names);

/* The i-th option name the library knows (supported or not), NULL past
 * the last. */
const char *cfg_option_name(size_t i);

#endif
