/* Values of XenStore device keys, parsed strictly: the frontend's keys are
 * the guest's, and a backend must not guess at what it wrote. Pure
 * functions, so libFuzzer can drive them (fuzz/fuzz_xenbus_keys.c). */
#ifndef KXEN_BACKENDS_XENBUS_KEYS_H
#define KXEN_BACKENDS_XENBUS_KEYS_H

#include <stdint.h>

/* Plain decimal in [0, max], as Linux writes %u: no sign, no "0x", no
 * spaces. 0 or -EINVAL. */
int xenbus_key_uint(const char *s, uint64_t max, uint64_t *out);

/* A vif backend's "rate" as libxl writes it and Linux netback's
 * xen_net_read_rate reads it: "<bytes per interval>,<interval in us>",
 * both at least 1, the interval at most UINT32_MAX. 0 or -EINVAL. */
int xenbus_key_rate(const char *s, uint64_t *bytes, uint32_t *usec);

#endif
