/* hv/gnttab.c: grant_table_op for an auto-translated guest. The table's
 * frames are monitor pages that the guest maps with add_to_physmap
 * (memory.c); here it only learns their number and the version. */
#include "hv/hv_internal.h"

static long gnttab_query_size(struct vcpu *v, void *arg)
{
	struct gnttab_query_size *q = arg;

	if (q->dom != DOMID_SELF && q->dom != v->d->domid) {
		q->status = GNTST_permission_denied;
		return 0;
	}
	q->nr_frames = 1;
	q->max_nr_frames = HV_NR_GNTTAB_FRAMES;
	q->status = GNTST_okay;
	return 0;
}

static long gnttab_set_version(struct vcpu *v, void *arg)
{
	struct gnttab_set_version *s = arg;

	/* Only v1: Linux asks for v2 only above 16 TiB of guest memory. */
	if (s->version != 1) {
		s->version = v->d->hv.gnttab_version;
		return -XEN_EINVAL;
	}
	v->d->hv.gnttab_version = 1;
	return 0;
}

static long gnttab_get_version(struct vcpu *v, void *arg)
{
	struct gnttab_get_version *g = arg;

	if (g->dom != DOMID_SELF && g->dom != v->d->domid)
		return -XEN_EPERM;
	g->version = v->d->hv.gnttab_version;
	return 0;
}

static const struct hv_subop gnttab_table[] = {
	[GNTTABOP_query_size] = { "query_size", sizeof(struct gnttab_query_size),
				  true, gnttab_query_size },
	[GNTTABOP_set_version] = { "set_version",
				   sizeof(struct gnttab_set_version), true,
				   gnttab_set_version },
	[GNTTABOP_get_version] = { "get_version",
				   sizeof(struct gnttab_get_version), true,
				   gnttab_get_version },
	/* setup_table is for guests that are not auto-translated. */
};

long hv_grant_table_op(struct vcpu *v, const uint64_t args[6])
{
	/* Each of these ops takes exactly one struct. */
	if (args[2] != 1)
		return -XEN_EINVAL;
	return hv_subop_call(v, gnttab_table,
			     sizeof(gnttab_table) / sizeof(gnttab_table[0]),
			     args[0], args[1]);
}
