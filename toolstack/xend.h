/* toolstack/xend.h: xend's internal interfaces (private to toolstack/).
 *
 * xend is single-threaded: one poll loop (main.c) serves the API socket
 * (api.c), notices monitor exits through pidfds (supervise.c) and applies
 * the on_* policies (domain.c). Every domain is one struct domain in
 * x->domains, owned by the table; dom_free() is its one destroy function.
 * Domain ids and names: domid.c. XenStore layout: layout.c. Managed
 * domains and /etc/xen/auto: managed.c.
 *
 * Files per domain (run_dir/domains/<domid>/, the monitor's --state-dir):
 *   ctl, console, pid, exit   written by the monitor
 *   domain.json               xend's record (name, uuid, config, start
 *                             time), read back when xend re-adopts
 *   monitor.log               the monitor's stdout and stderr */
#ifndef KXEN_TOOLSTACK_XEND_H
#define KXEN_TOOLSTACK_XEND_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

struct xs_handle;

#define XEND_DOMID_MAX 0x7fef /* DOMID_FIRST_RESERVED - 1 */
#define XEND_NAME_MAX 64

enum dom_action {
	DOM_ACT_DESTROY,
	DOM_ACT_RESTART,
	DOM_ACT_PRESERVE,
	DOM_ACT_RENAME_RESTART,
	DOM_ACT_COREDUMP_DESTROY,
	DOM_ACT_COREDUMP_RESTART,
};

enum dom_state {
	DOM_STARTING, /* monitor spawned, not answering yet (domain.c) */
	DOM_RUNNING,  /* monitor alive (running or paused: ask it) */
	DOM_SHUTDOWN, /* preserved after poweroff/reboot/halt: no monitor */
	DOM_CRASHED,  /* preserved after a crash: no monitor */
};

/* How a monitor ended (DIR/exit or its exit status). */
enum dom_exit {
	DOM_EXIT_POWEROFF,
	DOM_EXIT_REBOOT,
	DOM_EXIT_CRASH,
	DOM_EXIT_HALT,
	DOM_EXIT_SUSPEND,
	DOM_EXIT_WATCHDOG,
	DOM_EXIT_SOFT_RESET,
	DOM_EXIT_DESTROYED,
};

struct domain {
	struct domain *next;
	unsigned domid;
	char *name;
	char uuid[37];
	json_t *config;    /* the create request's config (owned) */
	char *config_file; /* for list -l; may be NULL */
	enum dom_action on_poweroff, on_reboot, on_crash;
	enum dom_state state;
	pid_t pid;         /* monitor, 0 when gone */
	int pidfd;         /* -1 when gone */
	bool is_child;     /* we can waitpid() it */
	char dir[256];     /* run_dir/domains/<domid> */
	time_t start_time; /* wall clock, seconds */
	time_t last_restart; /* 0: never restarted */
	char last_exit[32];  /* "poweroff 0"... after it ended */
	/* While DOM_STARTING: */
	uint64_t start_deadline_ms; /* CLOCK_MONOTONIC */
	/* Zero is START_MONITOR: a starting domain that did not come
	 * through dom_start never runs a bootloader. */
	enum { START_MONITOR, START_BOOT, START_DEVICES } start_phase;
	struct boot_run *boot; /* a bootloader running (bootloader.c) */
	bool start_paused, start_console;
	int reply_fd;      /* a client waiting for the create, or -1 */
};

/* A client waiting for domains to go (shutdown -w). */
struct waiter {
	struct waiter *next;
	int fd;
	unsigned *domids;
	unsigned n;
};

struct xend_opts {
	const char *socket, *state_dir, *run_dir, *monitor, *xenstore;
	const char *log_file, *pid_file, *auto_dir, *console_log_dir;
	bool foreground;
	unsigned min_restart_s; /* restarts closer than this are refused */
	unsigned start_timeout_ms; /* for a new monitor's ctl socket */
};

struct api_conn;
struct detach;

struct xend {
	struct xend_opts o;
	char monitor_path[512];
	struct xs_handle *xs; /* NULL until the first use succeeds */
	struct domain *domains;
	struct waiter *waiters;
	struct api_conn *conns; /* connections still sending (api_conn.c) */
	struct detach *detaches; /* waiting for a backend (api_devices.c) */
	unsigned next_domid;
	int listen_fd;
	time_t start_time;
};

/* domid.c */
struct domain *dom_find_id(struct xend *x, unsigned domid);
struct domain *dom_find_name(struct xend *x, const char *name);
/* By name, then by number; NULL if none. */
struct domain *dom_lookup(struct xend *x, const char *name_or_id);
/* Next free id after the last one given (Xen's order); 0 if none. */
unsigned dom_alloc_id(struct xend *x);
/* 0 or -EINVAL with a reason in err. */
int dom_check_name(const char *name, char *err, size_t errlen);
void dom_gen_uuid(char out[37]);
int dom_action_parse(const char *s, enum dom_action *out);
const char *dom_action_name(enum dom_action a);
const char *dom_exit_name(enum dom_exit e);
int dom_exit_parse(const char *s, enum dom_exit *out);

/* xs handle, connected on demand; NULL with *err set when unreachable. */
struct xs_handle *xend_xs(struct xend *x, char *err, size_t errlen);
/* The same, after checking with a round trip that the connection works
 * (reconnecting if xenstored was restarted). */
struct xs_handle *xend_xs_live(struct xend *x, char *err, size_t errlen);
void xend_xs_drop(struct xend *x);

/* layout.c: the XenStore nodes of one domain (reference §2). */
struct layout_info {
	unsigned domid;
	const char *name, *uuid;
	uint64_t max_memkb, target_memkb;
	unsigned max_vcpus, avail_vcpus;
	uint64_t store_gfn, console_gfn;
	unsigned store_port, console_port;
	time_t start_time;
};
int layout_write(struct xs_handle *xs, const struct layout_info *li)
	__attribute__((warn_unused_result));
/* Remove every node of the domain; missing nodes are fine. */
int layout_remove(struct xs_handle *xs, unsigned domid, const char *uuid)
	__attribute__((warn_unused_result));
int layout_rename(struct xs_handle *xs, unsigned domid, const char *old_uuid,
		  const char *new_uuid, const char *name)
	__attribute__((warn_unused_result));
/* control/<key> = val under /local/domain/<domid>. */
int layout_control(struct xs_handle *xs, unsigned domid, const char *key,
		   const char *val) __attribute__((warn_unused_result));

/* supervise.c: monitors. */
struct mon_info {
	bool paused;
	unsigned vcpus;
	uint64_t memory_kib, cpu_time_ns, store_gfn, console_gfn;
	unsigned store_port, console_port;
};
/* Fork and exec the monitor for d (paused); sets d->pid, pidfd. */
int mon_spawn(struct xend *x, struct domain *d, char *err, size_t errlen);
/* One request on DIR/ctl: "info", "pause", "unpause", "destroy". */
int mon_ctl(struct domain *d, const char *op, json_t **reply_out);
int mon_info(struct domain *d, struct mon_info *out);
/* A connection to the monitor's console socket (DIR/console). */
int mon_console(struct domain *d, int *fd_out);
/* Has the monitor exited (without reaping it)? */
bool mon_exited(const struct domain *d);
/* Has the monitor ended? If so, reap it and say how. */
bool mon_ended(struct domain *d, enum dom_exit *how, int *status);
/* DIR/exit, if the monitor wrote it. */
bool mon_read_exit(const struct domain *d, enum dom_exit *how, int *status);
/* Kill (SIGKILL) and reap. */
void mon_kill(struct domain *d);
/* Scan run_dir/domains: adopt live monitors, handle dead ones. */
void mon_adopt_all(struct xend *x);
/* Remove a domain directory and its files. */
void dom_remove_dir(const char *dir);
/* Write d's record (DIR/domain.json). */
int dom_save_record(struct domain *d);

/* domain.c: lifecycle. */
/* Create from a config object (the request's "config"; borrowed): checks,
 * an id, the monitor spawned. Returns 0 with *out in the table as
 * DOM_STARTING (dom_poll_starting finishes it; set (*out)->reply_fd to
 * have the client answered then), or an xm status with *msg (malloc'd). */
int dom_create(struct xend *x, json_t *config, const char *config_file,
	       bool paused, struct domain **out, char **msg);
/* Finish or fail the starting domains whose monitor answered, died or
 * timed out. Returns true while some are still starting. */
bool dom_poll_starting(struct xend *x);
uint64_t xend_now_ms(void);
int dom_destroy(struct xend *x, struct domain *d, char **msg);
/* The monitor of d ended: apply the policy. */
void dom_ended(struct xend *x, struct domain *d, enum dom_exit how,
	       int status);
int dom_rename(struct xend *x, struct domain *d, const char *name,
	       char **msg);
void dom_unlink(struct xend *x, struct domain *d);
void dom_free(struct domain *d);
/* Release everything of an ended domain and drop it from the table. */
void dom_cleanup(struct xend *x, struct domain *d);
/* Parse b_info/on_* of a config into d. */
int dom_apply_config(struct domain *d, json_t *config, char *err,
		     size_t errlen);

/* api.c, api_conn.c */
int api_listen(struct xend *x);
void api_accept(struct xend *x);
void api_handle_line(struct xend *x, int fd, const char *line);
struct pollfd;
unsigned api_conn_pollfds(struct xend *x, struct pollfd *pf, unsigned max);
void api_conn_service(struct xend *x, const struct pollfd *pf, unsigned n);
void api_conn_close_all(struct xend *x);
/* api_devices.c: answer the detaches that ended; true while any wait. */
bool api_detach_poll(struct xend *x);
void api_detach_close_all(struct xend *x);
/* A domain left the table: answer waiters. */
void api_domain_gone(struct xend *x, unsigned domid);
void api_reply_fd(int fd, int status, const char *output, const char *error);
/* A start ended (err NULL: running): answer d->reply_fd if set. */
void api_start_done(struct xend *x, struct domain *d, const char *err);

/* api_show.c: listings. Each writes to f and returns an xm status. */
int show_list(struct xend *x, int argc, char **argv, FILE *f, char **err);
int show_uptime(struct xend *x, int argc, char **argv, FILE *f, char **err);
int show_vcpu_list(struct xend *x, int argc, char **argv, FILE *f,
		   char **err);
int show_info(struct xend *x, FILE *f);
/* The table's domains sorted by id (malloc'd array, *n_out entries). */
struct domain **dom_sorted(struct xend *x, size_t *n_out);
int show_check_names(struct xend *x, int argc, char **argv, char **err);
int show_log(struct xend *x, FILE *f);
int show_dmesg(struct xend *x, bool clear, FILE *f);

/* managed.c */
int managed_new(struct xend *x, json_t *config, const char *config_file,
		char **msg);
int managed_start(struct xend *x, const char *name, bool paused,
		  struct domain **out, char **msg);
int managed_delete(struct xend *x, const char *name, char **msg);
/* Names of managed domains (NULL-terminated, free each and the array). */
char **managed_names(struct xend *x);
void managed_auto_start(struct xend *x);
/* The stored config of a managed domain (a new reference), or NULL. */
json_t *managed_config(struct xend *x, const char *name);

/* Host facts. */
uint64_t host_mem_kib(bool free_only);
unsigned host_cpus(void);

char *xend_strdup_printf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif
