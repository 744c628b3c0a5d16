/* xenstore/liveupdate.c: see liveupdate.h. */
#include "xenstore/liveupdate.h"
#include "xenstore/xenstored.h"
#include "lib/log.h"

#include <errno.h>

void liveupdate_exec(struct xsd *x)
{
	(void)x;
	log_warn(0, "live update not available");
}

int liveupdate_restore(struct xsd *x, const char *file)
{
	(void)x, (void)file;
	return -ENOSYS;
}
