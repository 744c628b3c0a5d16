/* backends/netback_csum.c: checksum offsets of guest frames.
 *
 * A pure parser over a private copy of the frame (never guest memory):
 * Linux's skb_checksum_setup_ip / _ipv6 in miniature. Every read is
 * bounded by len; the IPv6 extension header walk is bounded by len and a
 * fixed count. */
#include <errno.h>

#include "backends/netback_internal.h"

#define ETH_P_IP_ 0x0800
#define ETH_P_IPV6_ 0x86dd
#define ETH_P_8021Q_ 0x8100
#define ETH_P_8021AD_ 0x88a8
#define PROTO_TCP 6
#define PROTO_UDP 17
#define IPV6_MAX_EXT 8

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Ones-complement sum of len bytes (big-endian words), unfolded. */
static uint64_t sum_bytes(const uint8_t *p, size_t len, uint64_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += be16(p + i);
	if (i < len)
		sum += (uint64_t)p[i] << 8;
	return sum;
}

static uint16_t fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Walk IPv6 extension headers from the fixed header at f + off.
 * Returns the transport offset and sets *proto, or -EINVAL. */
static int ipv6_transport(const uint8_t *f, size_t len, size_t off,
			  uint8_t *proto)
{
	uint8_t next = f[off + 6];
	size_t pos = off + 40;

	for (int i = 0; i < IPV6_MAX_EXT; i++) {
		size_t hl;

		switch (next) {
		case 0:  /* hop-by-hop */
		case 43: /* routing */
		case 60: /* destination options */
			if (pos + 2 > len)
				return -EINVAL;
			hl = ((size_t)f[pos + 1] + 1) * 8;
			break;
		case 51: /* AH */
			if (pos + 2 > len)
				return -EINVAL;
			hl = ((size_t)f[pos + 1] + 2) * 4;
			break;
		case 44: /* fragment: a fragment's checksum is not ours */
			return -EINVAL;
		default:
			*proto = next;
			return pos <= len ? (int)pos : -EINVAL;
		}
		next = f[pos];
		pos += hl;
		if (pos > len)
			return -EINVAL;
	}
	return -EINVAL;
}

int nb_csum_setup(uint8_t *f, size_t len, size_t frame_len, bool recalc,
		  struct nb_csum *out)
{
	size_t off = NB_ETH_HLEN, l4, hl;
	uint16_t ethertype;
	uint8_t proto;
	uint64_t sum;
	int r;

	if (len < NB_ETH_HLEN || len > frame_len || frame_len > 0xffff + 18)
		return -EINVAL;
	ethertype = be16(f + 12);
	if (ethertype == ETH_P_8021Q_ || ethertype == ETH_P_8021AD_) {
		if (len < 18)
			return -EINVAL;
		ethertype = be16(f + 16);
		off = 18;
	}
	memset(out, 0, sizeof(*out));
	if (ethertype == ETH_P_IP_) {
		if (len < off + 20 || f[off] >> 4 != 4)
			return -EINVAL;
		hl = (size_t)(f[off] & 0xf) * 4;
		if (hl < 20 || len < off + hl)
			return -EINVAL;
		if (be16(f + off + 6) & 0x3fff) /* MF or a fragment offset */
			return -EINVAL;
		proto = f[off + 9];
		l4 = off + hl;
	} else if (ethertype == ETH_P_IPV6_) {
		if (len < off + 40 || f[off] >> 4 != 6)
			return -EINVAL;
		r = ipv6_transport(f, len, off, &proto);
		if (r < 0)
			return r;
		l4 = (size_t)r;
		out->ipv6 = true;
	} else {
		return -EINVAL;
	}
	if (proto == PROTO_TCP) {
		if (len < l4 + 20)
			return -EINVAL;
		hl = (size_t)(f[l4 + 12] >> 4) * 4;
		if (hl < 20 || len < l4 + hl)
			return -EINVAL;
		out->offset = 16;
		out->tcp = true;
	} else if (proto == PROTO_UDP) {
		hl = 8;
		if (len < l4 + hl)
			return -EINVAL;
		out->offset = 6;
	} else {
		return -EINVAL;
	}
	if (l4 + hl > 0xffff)
		return -EINVAL;
	out->start = (uint16_t)l4;
	out->hdr_len = (uint16_t)(l4 + hl);
	if (!recalc)
		return 0;
	/* The pseudo-header sum, folded, not complemented (CHECKSUM_PARTIAL). */
	if (out->ipv6)
		sum = sum_bytes(f + off + 8, 32, 0);
	else
		sum = sum_bytes(f + off + 12, 8, 0);
	sum += proto + (uint64_t)(frame_len - l4);
	sum = fold(sum);
	f[l4 + out->offset] = (uint8_t)(sum >> 8);
	f[l4 + out->offset + 1] = (uint8_t)sum;
	return 0;
}

int nb_csum_complete(uint8_t *f, size_t len, uint16_t start, uint16_t offset)
{
	size_t at = (size_t)start + offset;
	uint16_t c;

	if (start > len || at + 2 > len)
		return -EINVAL;
	c = (uint16_t)~fold(sum_bytes(f + start, len - start, 0));
	if (c == 0 && offset == 6) /* UDP: 0 means "no checksum" */
		c = 0xffff;
	f[at] = (uint8_t)(c >> 8);
	f[at + 1] = (uint8_t)c;
	return 0;
}
