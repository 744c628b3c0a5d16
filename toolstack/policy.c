/* toolstack/policy.c: what happens when a domain's monitor ends, and
 * renaming. See domain.c's header for the rules. */
#include "toolstack/xend.h"
#include "lib/log.h"
#include "xenstore/xs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static enum dom_action policy_for(const struct domain *d, enum dom_exit how)
{
	switch (how) {
	case DOM_EXIT_POWEROFF:
	case DOM_EXIT_HALT:
		return d->on_poweroff;
	case DOM_EXIT_REBOOT:
		return d->on_reboot;
	case DOM_EXIT_CRASH:
		return d->on_crash;
	default:
		return DOM_ACT_DESTROY;
	}
}

/* Start d's config again under a new id (same name and uuid). */
static void restart(struct xend *x, const char *name, const char *uuid,
		    json_t *config, const char *config_file, time_t last)
{
	char *msg = NULL;
	struct domain *nd = NULL;
	json_t *cfg = json_deep_copy(config);

	json_object_set_new(json_object_get(cfg, "c_info"), "uuid",
			    json_string(uuid));
	json_object_set_new(json_object_get(cfg, "c_info"), "name",
			    json_string(name));
	if (dom_create(x, cfg, config_file, false, &nd, &msg)) {
		log_error(0, "restart of '%s' failed: %s", name, msg ? msg : "?");
	} else {
		nd->last_restart = last;
		if (dom_save_record(nd))
			log_warn(0, "d%u: cannot save its record", nd->domid);
		log_info("d%u (%s): restarted", nd->domid, nd->name);
	}
	free(msg);
	json_decref(cfg);
}

static void preserve(struct xend *x, struct domain *d, enum dom_exit how)
{
	d->state = how == DOM_EXIT_CRASH ? DOM_CRASHED : DOM_SHUTDOWN;
	if (dom_save_record(d))
		log_warn(0, "d%u: cannot save its record", d->domid);
	log_info("d%u (%s): preserved (%s)", d->domid, d->name,
		 dom_exit_name(how));
	api_domain_gone(x, d->domid);
}

/* rename-restart: the old domain stays as Domain-<new uuid>. */
static void rename_for_restart(struct xend *x, struct domain *d,
			       enum dom_exit how)
{
	char uuid[37], err[160];
	struct xs_handle *xs = xend_xs(x, err, sizeof(err));
	char *name;

	dom_gen_uuid(uuid);
	name = xend_strdup_printf("Domain-%s", uuid);
	if (!name)
		return;
	if (xs && layout_rename(xs, d->domid, d->uuid, uuid, name)) {
		log_warn(0, "d%u: cannot rename its XenStore nodes", d->domid);
		xend_xs_drop(x);
	}
	free(d->name);
	d->name = name;
	memcpy(d->uuid, uuid, sizeof(uuid));
	preserve(x, d, how);
}

void dom_ended(struct xend *x, struct domain *d, enum dom_exit how,
	       int status)
{
	enum dom_action act = policy_for(d, how);
	time_t now = time(NULL);
	char *name, *cfile;
	char uuid[37];
	json_t *cfg;

	snprintf(d->last_exit, sizeof(d->last_exit), "%s %d",
		 dom_exit_name(how), status);
	log_info("d%u (%s): monitor ended: %s; on_%s=%s", d->domid, d->name,
		 d->last_exit, how == DOM_EXIT_HALT ? "poweroff" :
		 dom_exit_name(how), dom_action_name(act));
	if (act == DOM_ACT_COREDUMP_DESTROY || act == DOM_ACT_COREDUMP_RESTART) {
		log_warn(0, "d%u: core dumps are not implemented yet", d->domid);
		act = act == DOM_ACT_COREDUMP_DESTROY ? DOM_ACT_DESTROY :
			DOM_ACT_RESTART;
	}
	if ((act == DOM_ACT_RESTART || act == DOM_ACT_RENAME_RESTART) &&
	    d->last_restart && now - d->last_restart < (time_t)x->o.min_restart_s) {
		log_error(0, "d%u (%s): restarting too fast (last restart %lds "
			  "ago): destroyed instead", d->domid, d->name,
			  (long)(now - d->last_restart));
		act = DOM_ACT_DESTROY;
	}
	if (act == DOM_ACT_PRESERVE) {
		preserve(x, d, how);
		return;
	}
	if (act == DOM_ACT_DESTROY) {
		dom_cleanup(x, d);
		return;
	}
	name = strdup(d->name);
	cfile = d->config_file ? strdup(d->config_file) : NULL;
	memcpy(uuid, d->uuid, sizeof(uuid));
	cfg = json_incref(d->config);
	if (act == DOM_ACT_RENAME_RESTART)
		rename_for_restart(x, d, how);
	else
		dom_cleanup(x, d);
	if (name)
		restart(x, name, uuid, cfg, cfile, now);
	free(name);
	free(cfile);
	json_decref(cfg);
}

int dom_rename(struct xend *x, struct domain *d, const char *name,
	       char **msg)
{
	char err[160];
	struct xs_handle *xs;
	char *copy;
	int rc;

	if (dom_check_name(name, err, sizeof(err))) {
		*msg = strdup(err);
		return 1;
	}
	if (dom_find_name(x, name)) {
		*msg = xend_strdup_printf("domain name '%s' is already in use",
					  name);
		return 1;
	}
	xs = xend_xs(x, err, sizeof(err));
	if (!xs) {
		*msg = strdup(err);
		return 1;
	}
	rc = layout_rename(xs, d->domid, d->uuid, d->uuid, name);
	if (rc) {
		xend_xs_drop(x);
		*msg = xend_strdup_printf("cannot rename in XenStore: %s",
					  strerror(-rc));
		return 1;
	}
	copy = strdup(name);
	if (!copy)
		return *msg = strdup("out of memory"), 1;
	log_info("d%u: renamed from '%s' to '%s'", d->domid, d->name, name);
	free(d->name);
	d->name = copy;
	json_object_set_new(json_object_get(d->config, "c_info"), "name",
			    json_string(name));
	if (dom_save_record(d))
		log_warn(0, "d%u: cannot save its record", d->domid);
	return 0;
}
