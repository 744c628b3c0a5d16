/* hv/xen_version.c: xen_version. Which Xen the guest thinks it runs on, and
 * the feature bits that pick its code paths (pvh-boot.md §6). */
#include "hv/hv_internal.h"

#include <string.h>
#include <xen/features.h>

/* The PVH domU set: auto-translated physmap, HVM callback vector, safe
 * pvclock. Never dom0 (11) or hvm_pirqs (10): those would send the guest
 * down paths kxen does not emulate. */
#define HV_FEATURES                                                          \
	((1u << XENFEAT_writable_page_tables) |                              \
	 (1u << XENFEAT_auto_translated_physmap) |                           \
	 (1u << XENFEAT_hvm_callback_vector) | (1u << XENFEAT_hvm_safe_pvclock))

static long xenver_version(struct vcpu *v, void *arg)
{
	(void)v;
	(void)arg;
	return (HV_XEN_MAJOR << 16) | HV_XEN_MINOR;
}

static long xenver_extraversion(struct vcpu *v, void *arg)
{
	(void)v;
	memset(arg, 0, sizeof(xen_extraversion_t));
	strcpy(arg, "-kxen");
	return 0;
}

static long xenver_get_features(struct vcpu *v, void *arg)
{
	struct xen_feature_info *fi = arg;

	(void)v;
	fi->submap = fi->submap_idx == 0 ? HV_FEATURES : 0;
	return 0;
}

static long xenver_pagesize(struct vcpu *v, void *arg)
{
	(void)v;
	(void)arg;
	return 4096;
}

static long xenver_empty_string(struct vcpu *v, void *arg)
{
	(void)v;
	(void)arg; /* zeroed by the dispatcher */
	return 0;
}

static const struct hv_subop xenver_table[] = {
	[XENVER_version] = { "version", 0, false, xenver_version },
	[XENVER_extraversion] = { "extraversion", sizeof(xen_extraversion_t),
				  true, xenver_extraversion },
	[XENVER_compile_info] = { "compile_info",
				  sizeof(xen_compile_info_t), true,
				  xenver_empty_string },
	[XENVER_capabilities] = { "capabilities",
				  sizeof(xen_capabilities_info_t), true,
				  xenver_empty_string },
	[XENVER_changeset] = { "changeset", sizeof(xen_changeset_info_t),
			       true, xenver_empty_string },
	[XENVER_get_features] = { "get_features",
				  sizeof(struct xen_feature_info), true,
				  xenver_get_features },
	[XENVER_pagesize] = { "pagesize", 0, false, xenver_pagesize },
	[XENVER_guest_handle] = { "guest_handle",
				  sizeof(xen_domain_handle_t), true,
				  xenver_empty_string },
};

long hv_xen_version(struct vcpu *v, const uint64_t args[6])
{
	return hv_subop_call(v, xenver_table,
			     sizeof(xenver_table) / sizeof(xenver_table[0]),
			     args[0], args[1]);
}
