/* toolstack/devices.h: virtual disks and NICs in XenStore (devices.c). */
#ifndef KXEN_TOOLSTACK_DEVICES_H
#define KXEN_TOOLSTACK_DEVICES_H

#include <jansson.h>
#include <stdbool.h>

struct xs_handle;

#define DEVICES_SCRIPT_DIR "/etc/xen/scripts"
/* How long xend waits for backends (and their scripts) at create. */
#define DEVICES_READY_MS 30000

/* Check a config's disks before anything is created: valid and distinct
 * vdevs, targets that exist with the access asked for, supported formats.
 * 0, or a negative errno with a message in err. */
int devices_check(json_t *config, char *err, size_t errlen);
/* The device number of a disk's vdev (51712 for xvda), or -1 with err. */
int devices_vdev(json_t *disk, char *err, size_t errlen);
/* The MAC a NIC without mac= gets: stable for the domain's uuid. */
void devices_default_mac(const char *uuid, unsigned devid, char out[18]);

/* Write every disk and NIC of config for domid (one transaction). */
int devices_add_all(struct xs_handle *xs, unsigned domid, json_t *config,
		    const char *uuid) __attribute__((warn_unused_result));
/* Hotplug one device. */
int devices_add_disk(struct xs_handle *xs, unsigned domid, json_t *disk)
	__attribute__((warn_unused_result));
int devices_add_nic(struct xs_handle *xs, unsigned domid, unsigned devid,
		    json_t *nic, const char *uuid)
	__attribute__((warn_unused_result));
/* Is the backend of every device in config ready (InitWait, or
 * Connected: probed, hotplug script run)? libxl waits for that before it
 * unpauses; xend polls this while the domain starts (DEVICES_READY_MS).
 * 1 yes, 0 not yet, -EIO with the backend's error (hotplug-error or
 * error) in err when one gave up. */
int devices_ready(struct xs_handle *xs, unsigned domid, json_t *config,
		  char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Detach kind ("vbd", "vif") devid, in two steps so xend's loop never
 * waits on a guest. devices_detach_start asks the backend to close
 * (-ENOENT if there is no such device). devices_detach_poll returns 0
 * while the backend is still open, and 1 once it is closed (the frontend
 * has let go and the data is written) and both directories are gone. */
int devices_detach_start(struct xs_handle *xs, unsigned domid,
			 const char *kind, unsigned devid)
	__attribute__((warn_unused_result));
int devices_detach_poll(struct xs_handle *xs, unsigned domid,
			const char *kind, unsigned devid)
	__attribute__((warn_unused_result));

#endif
