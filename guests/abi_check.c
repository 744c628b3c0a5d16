/* Compile-time check that guest-abi.h agrees with Xen's public headers. */
#include <stdint.h>
#include <xen/xen.h>
#include <xen/sched.h>
#include "guests/guest-abi.h"

_Static_assert(GUEST_SCHEDOP_shutdown == SCHEDOP_shutdown, "SCHEDOP_shutdown");
_Static_assert(GUEST_SHUTDOWN_poweroff == SHUTDOWN_poweroff, "SHUTDOWN_poweroff");
_Static_assert(GUEST_SHUTDOWN_crash == SHUTDOWN_crash, "SHUTDOWN_crash");
