/* Host-side tap devices for vifs: the kernel end of a netback.
 *
 * A vif's tap is created by the monitor (it holds the only fd, so the
 * interface vanishes with the monitor), carries a 10-byte virtio_net_hdr
 * before every frame (IFF_VNET_HDR) and is configured as Xen configures
 * its vif: MTU 1500 by default and the MAC fe:ff:ff:ff:ff:ff, so the host
 * side never wins a bridge's MAC election or answers for the guest. Link
 * settings go through libnl-route-3 (rtnl_link), as DESIGN says for taps,
 * bridges and addresses. Nothing here prints: every function returns 0 or
 * a negative errno. */
#ifndef KXEN_BACKENDS_TAP_H
#define KXEN_BACKENDS_TAP_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

/* Xen's host-side vif MAC (tools/hotplug/Linux/vif-common.sh). */
#define TAP_HOST_MAC { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff }

/* Create (or attach another queue to) the multi-queue tap `name` ("vif3.0"; at most IFNAMSIZ-1 bytes)
 * with IFF_TAP|IFF_NO_PI|IFF_VNET_HDR and a 10-byte vnet header, opened
 * O_NONBLOCK|O_CLOEXEC. The kernel's name lands in ifname (IFNAMSIZ
 * bytes). Returns 0 and the fd in *fd_out, or -EINVAL (bad name), -EPERM
 * (no CAP_NET_ADMIN), -ENOENT (no /dev/net/tun), -EBUSY (in use). */
int tap_open(const char *name, char ifname[IFNAMSIZ], int *fd_out)
	__attribute__((warn_unused_result));

/* Which offloads the kernel may hand us (TUNSETOFFLOAD), from what the
 * frontend can receive: csum (always true for Linux netfront), TSO4 and
 * TSO6 (feature-gso-tcpv4/v6, which need feature-sg and csum). */
int tap_set_offload(int fd, bool csum, bool tso4, bool tso6)
	__attribute__((warn_unused_result));

/* Set the link's MTU (0: leave it), MAC (NULL: leave it) and bring it up
 * or down, through rtnetlink. -ENODEV if ifname does not exist. */
int tap_link_setup(const char *ifname, unsigned mtu, const uint8_t mac[6],
		   bool up) __attribute__((warn_unused_result));

#endif
