/* kxen-mktap: make a vif-style tap and hold it until killed.
 *
 *   kxen-mktap NAME [MTU]
 *
 * Creates NAME as the monitor does for a vif (backends/tap.c: vnet header,
 * MAC fe:ff:ff:ff:ff:ff, MTU 1500, link down until a hotplug script brings
 * it up), prints "ready" and keeps the fd open until SIGTERM or SIGINT:
 * the tap disappears with the process. For tests of the hotplug scripts
 * and for trying a script by hand. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends/tap.h"

int main(int argc, char **argv)
{
	static const uint8_t mac[6] = TAP_HOST_MAC;
	char ifname[IFNAMSIZ];
	unsigned mtu = 1500;
	sigset_t set;
	int fd, rc, sig;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s NAME [MTU]\n", argv[0]);
		return 2;
	}
	if (argc == 3)
		mtu = (unsigned)strtoul(argv[2], NULL, 10);
	rc = tap_open(argv[1], ifname, &fd);
	if (rc == 0)
		rc = tap_link_setup(ifname, mtu, mac, false);
	if (rc < 0) {
		fprintf(stderr, "kxen-mktap: %s: %s\n", argv[1], strerror(-rc));
		return 1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("ready %s\n", ifname);
	fflush(stdout);
	sigwait(&set, &sig);
	close(fd);
	return 0;
}
