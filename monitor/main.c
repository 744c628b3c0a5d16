/* kxen-monitor: one process per domain, owning its KVM VM and serving it
 * the Xen ABI. This file is the direct-run mode (like `lkvm run`): boot a
 * kernel with the console on stdio and exit with a status that says how the
 * domain ended. See monitor/README.md for the options and exit statuses. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sys/eventfd.h>
#include <termios.h>
#include <xen/io/console.h>

#include "backends/console.h"
#include "hv/evtchn.h"
#include "hv/xen.h"
#include "lib/log.h"
#include "monitor/acpi.h"
#include "monitor/boot.h"
#include "monitor/client.h"
#include "monitor/ctl.h"
#include "monitor/devices.h"
#include "monitor/store.h"
#include "monitor/vcpu.h"
#include "monitor/vm.h"

/* Exit statuses of direct-run mode. */
enum {
	EXIT_POWEROFF = 0,
	EXIT_ERROR = 1,
	EXIT_USAGE = 2,
	EXIT_REBOOT = 3,
	EXIT_CRASH = 4,
	EXIT_HALT = 5,
	EXIT_SUSPEND = 6,
	EXIT_WATCHDOG = 7,
	EXIT_SOFT_RESET = 8,
	EXIT_DESTROYED = 9,
};

struct options {
	const char *kernel, *ramdisk, *cmdline;
	const char *name, *xenstore, *state_dir, *console_log;
	int paused;
	int global_upcall;  /* --global-upcall */
	int reboot_restart; /* --on-reboot restart */
	unsigned long memory_mib;
	unsigned long vcpus;
	unsigned long domid;
	int check_host;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kxen-monitor --kernel FILE [--ramdisk FILE] [--cmdline STR]\n"
		"                    [--memory MiB] [--vcpus N] [--domid ID] [--log-level L]\n"
		"                    [--name NAME] [--xenstore SOCKET] [--state-dir DIR]\n"
		"                    [--console-log FILE] [--paused] [--on-reboot restart|exit]\n"
		"                    [--global-upcall]\n"
		"       kxen-monitor --check-host\n"
		"       kxen-monitor --ctl DIR REQUEST     (e.g. '{\"op\":\"info\"}')\n"
		"       kxen-monitor --attach DIR          (the console of a --state-dir domain)\n"
		"Boots a PVH kernel as a Xen domain with its console on stdio.\n"
		"Exit status: 0 poweroff, 1 error, 2 usage, 3 reboot, 4 crash, 5 halt,\n"
		"             6 suspend, 7 watchdog, 8 soft_reset, 9 destroyed by signal.\n");
}

static int parse_ulong(const char *opt, const char *s, unsigned long min,
		       unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max) {
		fprintf(stderr, "kxen-monitor: --%s '%s': expected a number from %lu to %lu\n",
			opt, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "ramdisk", required_argument, NULL, 'r' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "memory", required_argument, NULL, 'm' },
		{ "vcpus", required_argument, NULL, 'n' },
		{ "domid", required_argument, NULL, 'd' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "check-host", no_argument, NULL, 'H' },
		{ "name", required_argument, NULL, 'N' },
		{ "xenstore", required_argument, NULL, 'X' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "console-log", required_argument, NULL, 'L' },
		{ "paused", no_argument, NULL, 'P' },
		{ "on-reboot", required_argument, NULL, 'R' },
		{ "global-upcall", no_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c, lvl;

	memset(o, 0, sizeof(*o));
	o->memory_mib = 256;
	o->vcpus = 1;
	o->domid = 1;
	while ((c = getopt_long(argc, argv, "k:r:c:m:n:d:l:HhN:X:S:L:P", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': o->kernel = optarg; break;
		case 'r': o->ramdisk = optarg; break;
		case 'c': o->cmdline = optarg; break;
		case 'm':
			if (parse_ulong("memory", optarg, 2, 1ul << 20, &o->memory_mib))
				return -1;
			break;
		case 'n':
			if (parse_ulong("vcpus", optarg, 1, DOMAIN_MAX_VCPUS, &o->vcpus))
				return -1;
			break;
		case 'd':
			if (parse_ulong("domid", optarg, 1, DOMID_FIRST_RESERVED - 1, &o->domid))
				return -1;
			break;
		case 'l':
			lvl = log_level_parse(optarg);
			if (lvl < 0) {
				fprintf(stderr, "kxen-monitor: --log-level '%s': expected error, warn, info or debug\n", optarg);
				return -1;
			}
			log_set_level((enum log_level)lvl);
			break;
		case 'H': o->check_host = 1; break;
		case 'N': o->name = optarg; break;
		case 'X': o->xenstore = optarg; break;
		case 'S': o->state_dir = optarg; break;
		case 'L': o->console_log = optarg; break;
		case 'P': o->paused = 1; break;
		case 'U': o->global_upcall = 1; break;
		case 'R':
			if (strcmp(optarg, "restart") && strcmp(optarg, "exit")) {
				fprintf(stderr, "kxen-monitor: --on-reboot '%s': expected restart or exit\n", optarg);
				return -1;
			}
			o->reboot_restart = strcmp(optarg, "restart") == 0;
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kxen-monitor: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (!o->check_host && !o->kernel) {
		fprintf(stderr, "kxen-monitor: --kernel is required\n");
		usage(stderr);
		return -1;
	}
	return 0;
}

/* Map a whole file read-only. Returns 0 or a negative errno. */
static int map_file(const char *path, void **data, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
	} else if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
	} else if (st.st_size == 0) {
		*data = NULL;
		*len = 0;
	} else {
		*data = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (*data == MAP_FAILED)
			rc = -errno;
		*len = st.st_size;
	}
	close(fd);
	return rc;
}

static int exit_status(int reason)
{
	switch (reason) {
	case SHUTDOWN_poweroff: return EXIT_POWEROFF;
	case SHUTDOWN_reboot: return EXIT_REBOOT;
	case SHUTDOWN_suspend: return EXIT_SUSPEND;
	case SHUTDOWN_crash: return EXIT_CRASH;
	case SHUTDOWN_watchdog: return EXIT_WATCHDOG;
	case SHUTDOWN_soft_reset: return EXIT_SOFT_RESET;
	case DOMAIN_HALTED: return EXIT_HALT;
	case DOMAIN_DESTROYED: return EXIT_DESTROYED;
	default: return EXIT_ERROR;
	}
}

static int console_notify(void *ctx)
{
	struct domain *d = ctx;

	return hv_evtchn_notify_guest(d, (evtchn_port_t)
				      d->hv.hvm_param[HVM_PARAM_CONSOLE_EVTCHN]);
}

static void console_escape(void *ctx)
{
	log_info("console escape (Ctrl-]): destroying the domain");
	domain_shutdown(ctx, DOMAIN_DESTROYED);
}

/* The Xen console ring at Xen's special pfn, its event channel, and the
 * backend thread that serves it on stdio. */
static int console_setup(struct domain *d, struct consback *cb, int *kick_fd,
			 int listen_fd, int log_fd)
{
	struct consback_params p = {
		.notify_guest = console_notify,
		.ctx = d,
		.in_fd = listen_fd >= 0 ? -1 : STDIN_FILENO,
		.out_fd = listen_fd >= 0 ? -1 : STDOUT_FILENO,
		.log_fd = log_fd,
		.listen_fd = listen_fd,
		.on_escape = listen_fd < 0 && isatty(STDIN_FILENO) ? console_escape : NULL,
	};
	evtchn_port_t port;
	int rc;

	p.ring = guestmem_ptr(&d->mem, GUESTMEM_CONSOLE_PFN << 12, 4096);
	if (!p.ring)
		return -EINVAL;
	memset(p.ring, 0, 4096);
	*kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (*kick_fd < 0)
		return -errno;
	rc = hv_evtchn_alloc_backend(d, 0, *kick_fd, &port);
	if (rc)
		return rc;
	d->hv.hvm_param[HVM_PARAM_CONSOLE_PFN] = GUESTMEM_CONSOLE_PFN;
	d->hv.hvm_param[HVM_PARAM_CONSOLE_EVTCHN] = port;
	p.guest_kick_fd = *kick_fd;
	return consback_start(cb, &p);
}

/* A terminal on stdin goes raw while the guest owns it: the guest's shell
 * does its own echo and line editing, and Ctrl-] detaches. */
static int term_raw(struct termios *saved)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, saved) < 0)
		return 0;
	t = *saved;
	cfmakeraw(&t);
	t.c_oflag |= OPOST | ONLCR;
	tcsetattr(STDIN_FILENO, TCSANOW, &t);
	return 1;
}

/* Write a small file in the state directory (pid, exit). */
static void state_write(const struct options *o, const char *file,
			const char *fmt, int a, const char *b)
{
	char path[4096], tmp[4200];
	FILE *f;

	if (!o->state_dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", o->state_dir, file);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return;
	if (b)
		fprintf(f, fmt, b, a);
	else
		fprintf(f, fmt, a);
	/* Renamed into place so a reader never sees half a file. */
	if (fclose(f) == 0)
		rename(tmp, path);
}

/* The state directory's sockets: ctl and console. */
static int state_sockets(const struct options *o, int *ctl_fd, int *cons_fd)
{
	char path[4096];

	*ctl_fd = *cons_fd = -1;
	if (!o->state_dir)
		return 0;
	if (mkdir(o->state_dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/ctl", o->state_dir);
	*ctl_fd = ctl_listen(path);
	if (*ctl_fd < 0)
		return *ctl_fd;
	snprintf(path, sizeof(path), "%s/console", o->state_dir);
	*cons_fd = ctl_listen(path);
	return *cons_fd < 0 ? *cons_fd : 0;
}

static int run_domain(const struct options *o)
{
	struct domain *d = calloc(1, sizeof(*d));
	struct boot_params bp = { .cmdline = o->cmdline };
	void *kernel = NULL, *ramdisk = NULL;
	size_t kernel_len = 0, ramdisk_len = 0;
	uint32_t entry, start_info;
	const char *why = NULL;
	struct consback cb = { 0 };
	struct devices devs = { 0 };
	struct termios saved_term;
	struct ctl_info info = { .name = o->name, .vcpus = (unsigned)o->vcpus,
				 .memory_kib = (uint64_t)o->memory_mib << 10 };
	int raw = 0, kick_fd = -1, ctl_fd = -1, cons_fd = -1, log_fd = -1;
	sigset_t stop;
	int rc, status = EXIT_ERROR;

	if (!d)
		return EXIT_ERROR;
	/* Termination signals are read by the main thread only (ctl_serve):
	 * blocked before any thread exists, so every thread inherits that. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	domain_init(d, (int)o->domid);
	d->percpu_upcall = !o->global_upcall;
	d->console_fd = STDOUT_FILENO;
	log_set_domid(d->domid);

	rc = map_file(o->kernel, &kernel, &kernel_len);
	if (rc) {
		log_error(-rc, "kernel '%s'", o->kernel);
		goto out;
	}
	if (o->ramdisk) {
		rc = map_file(o->ramdisk, &ramdisk, &ramdisk_len);
		if (rc) {
			log_error(-rc, "ramdisk '%s'", o->ramdisk);
			goto out;
		}
	}
	bp.kernel = kernel;
	bp.kernel_len = kernel_len;
	bp.ramdisk = ramdisk;
	bp.ramdisk_len = ramdisk_len;

	rc = guestmem_create(&d->mem, (uint64_t)o->memory_mib << 20,
			     HV_NR_GNTTAB_FRAMES);
	if (rc) {
		log_error(-rc, "cannot allocate %lu MiB of guest memory", o->memory_mib);
		goto out;
	}
	d->hv.gnttab_frames = d->mem.extra_hva;
	d->hv.max_pages = d->hv.cur_pages = d->mem.ram_bytes >> 12;
	bp.rsdp_gpa = acpi_build(&d->mem, (unsigned)o->vcpus);
	rc = boot_load_pvh(&d->mem, &bp, &entry, &start_info, &why);
	if (rc) {
		log_error(0, "kernel '%s': %s", o->kernel, why);
		goto out;
	}
	/* The files are in guest memory now; their page cache pages must not
	 * count against the monitor for the domain's whole life. */
	munmap(kernel, kernel_len);
	kernel = NULL;
	if (ramdisk)
		munmap(ramdisk, ramdisk_len);
	ramdisk = NULL;
	rc = vm_create(d, &why);
	if (rc) {
		log_error(-rc, "%s", why);
		goto out;
	}
	rc = vcpu_signals_init();
	for (unsigned i = 0; !rc && i < o->vcpus; i++) {
		rc = vcpu_create(d, i);
		if (!rc)
			d->nr_vcpus = i + 1;
	}
	if (!rc)
		rc = vcpu_set_pvh_entry(&d->vcpu[0], entry, start_info);
	if (rc) {
		log_error(-rc, "cannot set up the vCPUs");
		goto out;
	}
	rc = state_sockets(o, &ctl_fd, &cons_fd);
	if (rc) {
		log_error(-rc, "state directory '%s'", o->state_dir);
		goto out;
	}
	if (o->console_log) {
		log_fd = open(o->console_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (log_fd < 0) {
			log_error(errno, "console log '%s'", o->console_log);
			goto out;
		}
	}
	rc = console_setup(d, &cb, &kick_fd, cons_fd, log_fd);
	if (rc) {
		log_error(-rc, "cannot set up the console");
		goto out;
	}
	if (o->xenstore) {
		rc = store_connect(d, o->xenstore, &why);
		if (rc) {
			log_error(-rc, "xenstore '%s': %s", o->xenstore, why);
			goto out;
		}
		rc = devices_start(&devs, d, o->xenstore, &why);
		if (rc) {
			log_error(-rc, "devices: %s", why);
			goto out;
		}
	}
	/* vCPU threads start paused: none runs guest code until every one
	 * exists and can be asked for work (vcpu_run_on). A vCPU calling
	 * into a sibling whose thread sat in KVM_RUN unannounced deadlocked:
	 * the ioctl waited for a vCPU that only the caller could wake. */
	domain_pause(d);


	log_info("booting '%s' with %lu MiB, %lu vCPU(s)", o->kernel,
		 o->memory_mib, o->vcpus);
	if (cons_fd < 0)
		raw = term_raw(&saved_term);
	state_write(o, "pid", "%d\n", (int)getpid(), NULL);
	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		rc = vcpu_start(&d->vcpu[i]);
		if (rc) {
			log_error(-rc, "cannot start vcpu%u", i);
			domain_shutdown(d, DOMAIN_FAILED);
			break;
		}
	}
	if (!o->paused)
		domain_unpause(d);
	ctl_serve(d, &info, ctl_fd, &stop);
	for (unsigned i = 0; i < d->nr_vcpus; i++)
		vcpu_join(&d->vcpu[i]);
	/* In-flight disk writes are answered and flushed before the exit
	 * status tells the toolstack the domain is gone. */
	devices_stop(&devs);
	consback_stop(&cb);
	if (raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_term);
	rc = atomic_load(&d->shutdown_reason);
	fflush(stdout);
	fprintf(stderr, "kxen-monitor: domain %d shut down, shutdown reason: %s\n",
		d->domid, domain_shutdown_name(rc));
	status = exit_status(rc);
	if (!(status == EXIT_REBOOT && o->reboot_restart))
		state_write(o, "exit", "%s %d\n", status, domain_shutdown_name(rc));
out:
	devices_stop(&devs);
	consback_stop(&cb);
	if (kick_fd >= 0)
		close(kick_fd);
	if (d->store_kick_fd >= 0)
		close(d->store_kick_fd);
	if (ctl_fd >= 0)
		close(ctl_fd);
	if (cons_fd >= 0)
		close(cons_fd);
	if (log_fd >= 0)
		close(log_fd);
	for (unsigned i = 0; i < d->nr_vcpus; i++)
		vcpu_destroy(&d->vcpu[i]);
	vm_destroy(d);
	guestmem_destroy(&d->mem);
	domain_fini(d);
	if (kernel)
		munmap(kernel, kernel_len);
	if (ramdisk)
		munmap(ramdisk, ramdisk_len);
	free(d);
	return status;
}

int main(int argc, char **argv)
{
	struct options o;

	log_init("kxen-monitor", -1);
	if (argc == 4 && strcmp(argv[1], "--ctl") == 0)
		return client_ctl_request(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "--attach") == 0)
		return client_console(argv[2]);
	if (parse_options(argc, argv, &o))
		return EXIT_USAGE;
	if (o.check_host) {
		struct vm_host_caps caps;

		vm_host_probe(&caps);
		return vm_host_report(&caps, stdout);
	}
	for (;;) {
		int status = run_domain(&o);

		/* A reboot restarts the domain in place: the same process and
		 * domid, a fresh VM and memory, running at once. */
		if (status != EXIT_REBOOT || !o.reboot_restart)
			return status;
		log_info("rebooting the domain in place");
		o.paused = 0;
	}
}
