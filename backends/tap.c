/* backends/tap.c: see tap.h. The tun ioctls for the device itself,
 * libnl-route-3 for the link. */
#include "backends/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int tap_open(const char *name, char ifname[IFNAMSIZ], int *fd_out)
{
	int vnet_hlen = sizeof(struct virtio_net_hdr);
	struct ifreq ifr;
	int fd, rc;

	if (!name || !*name || strlen(name) >= IFNAMSIZ)
		return -EINVAL;
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	/* Multi-queue: each netback queue opens the same name again and
	 * gets its own queue of the one interface. */
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE;
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 ||
	    ioctl(fd, TUNSETVNETHDRSZ, &vnet_hlen) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	memcpy(ifname, ifr.ifr_name, IFNAMSIZ);
	ifname[IFNAMSIZ - 1] = '\0';
	*fd_out = fd;
	return 0;
}

int tap_set_offload(int fd, bool csum, bool tso4, bool tso6)
{
	unsigned flags = 0;

	if (csum) {
		flags |= TUN_F_CSUM;
		if (tso4)
			flags |= TUN_F_TSO4;
		if (tso6)
			flags |= TUN_F_TSO6;
	}
	if (ioctl(fd, TUNSETOFFLOAD, flags) < 0)
		return -errno;
	return 0;
}

/* libnl's NLE_* codes as errnos. */
static int nl_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case 0:
		return 0;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
	case NLE_NOACCESS:
		return -EPERM;
	case NLE_NODEV:
	case NLE_OBJ_NOTFOUND:
		return -ENODEV;
	case NLE_INVAL:
	case NLE_RANGE:
		return -EINVAL;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
}

int tap_link_setup(const char *ifname, unsigned mtu, const uint8_t mac[6],
		   bool up)
{
	struct rtnl_link *link = NULL, *change = NULL;
	struct nl_addr *addr = NULL;
	struct nl_sock *sk;
	int rc;

	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	rc = nl_errno(nl_connect(sk, NETLINK_ROUTE));
	if (rc < 0)
		goto out;
	rc = nl_errno(rtnl_link_get_kernel(sk, 0, ifname, &link));
	if (rc < 0)
		goto out;
	change = rtnl_link_alloc();
	if (!change) {
		rc = -ENOMEM;
		goto out;
	}
	if (mtu)
		rtnl_link_set_mtu(change, mtu);
	if (mac) {
		addr = nl_addr_build(AF_LLC, mac, 6);
		if (!addr) {
			rc = -ENOMEM;
			goto out;
		}
		rtnl_link_set_addr(change, addr);
	}
	if (up)
		rtnl_link_set_flags(change, IFF_UP);
	else
		rtnl_link_unset_flags(change, IFF_UP);
	rc = nl_errno(rtnl_link_change(sk, link, change, 0));
out:
	nl_addr_put(addr);
	rtnl_link_put(change);
	rtnl_link_put(link);
	nl_socket_free(sk);
	return rc;
}
