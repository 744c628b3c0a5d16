/* cli/cmdtable.c: every xm command of "Running Xen" Appendix B.
 *
 * {name, fn, kind, can_dryrun, modifies, group, usage, help}, in the
 * book's order within each group. kind says where a command runs today:
 * CMD_LOCAL in xm, CMD_XEND as a request to xend (issue 6's lifecycle
 * commands and issue 7's device hotplug), CMD_TODO for commands no issue
 * has brought yet: those fail with "not implemented yet", never silently.
 * When a command gets its own cmd_<name>, change its fn and kind here. */
#include "cli/xm.h"

#include <string.h>

#define DOM "Domain"
#define HOST "Host"
#define SCHED "Scheduler"
#define DEV "Virtual device"
#define VNET "Vnet"
#define SEC "Security (access control)"

/* XEND entries carry the least number of operands (arguments that are
 * not options), checked before xend is asked. */
#define XEND(n, min, mod, grp, use, hlp) \
	{ n, cmd_xend, CMD_XEND, false, mod, grp, use, hlp, min }
#define TODO(n, mod, grp, use, hlp) \
	{ n, cmd_todo, CMD_TODO, false, mod, grp, use, hlp, 0 }

const struct cmd_spec cmd_table[] = {
	XEND("console", 1, false, DOM, "[-q|--quiet] <Domain>",
	     "Attach to <Domain>'s console (Ctrl-] detaches)."),
	{ "create", cmd_create, CMD_XEND, true, true, DOM,
	  "<ConfigFile> [options] [name=value ...]",
	  "Create a domain based on <ConfigFile>.", 0 },
	{ "new", cmd_new, CMD_XEND, false, true, DOM,
	  "<ConfigFile> [name=value ...]",
	  "Add a domain to xend's managed domains.", 0 },
	XEND("delete", 1, true, DOM, "<DomainName>",
	     "Remove a domain from xend's managed domains."),
	XEND("destroy", 1, true, DOM, "<Domain>",
	     "Terminate a domain immediately."),
	XEND("domid", 1, false, DOM, "<DomainName>",
	     "Convert a domain name to its domain id."),
	XEND("domname", 1, false, DOM, "<DomId>",
	     "Convert a domain id to its domain name."),
	TODO("dump-core", true, DOM, "[-L|--live] [-C|--crash] <Domain> "
	     "[Filename]", "Dump the core of a specific domain."),
	XEND("list", 0, false, DOM, "[options] [Domain, ...]",
	     "List information about all or some domains "
	     "(-l/--long, --state=<state>)."),
	TODO("mem-max", true, DOM, "<Domain> <Mem>",
	     "Set the maximum amount reservation for a domain."),
	TODO("mem-set", true, DOM, "<Domain> <Mem>",
	     "Set the current memory usage for a domain."),
	TODO("migrate", true, DOM, "<Domain> <Host> [-l|--live] "
	     "[-p=<port>|--port=<port>]", "Migrate a domain to another "
	     "machine."),
	XEND("pause", 1, true, DOM, "<Domain>",
	     "Pause execution of a domain."),
	XEND("reboot", 0, true, DOM, "<Domain> [-w|--wait] [-a|--all]",
	     "Reboot a domain."),
	XEND("rename", 2, true, DOM, "<Domain> <NewDomainName>",
	     "Rename a domain."),
	TODO("restore", true, DOM, "<CheckpointFile> [-p]",
	     "Restore a domain from a saved state."),
	TODO("save", true, DOM, "<Domain> <CheckpointFile>",
	     "Save a domain state to restore later."),
	XEND("shutdown", 0, true, DOM, "<Domain> [-w|--wait] [-a|--all] "
	     "[-H|--halt] [-R|--reboot]", "Shut down a domain."),
	XEND("start", 1, true, DOM, "<DomainName> [-p|--paused] "
	     "[-c|--console_autoconnect]",
	     "Start a managed domain that is not running."),
	XEND("suspend", 1, true, DOM, "<DomainName>",
	     "Suspend a managed domain."),
	XEND("resume", 1, true, DOM, "<DomainName> [-p|--paused]",
	     "Resume a suspended managed domain."),
	XEND("sysrq", 2, true, DOM, "<Domain> <letter>",
	     "Send a sysrq to a domain."),
	TODO("trigger", true, DOM, "<Domain> <nmi|reset|init|s3resume> "
	     "[<VCPU>]", "Send a trigger to a domain."),
	TODO("top", false, DOM, "",
	     "Monitor a host and the domains in real time."),
	XEND("unpause", 1, true, DOM, "<Domain>",
	     "Unpause a paused domain."),
	XEND("uptime", 0, false, DOM, "[-s|--short] [Domain, ...]",
	     "Print uptime for all or some domains."),
	XEND("vcpu-list", 0, false, DOM, "[Domain, ...]",
	     "List the VCPUs for all or some domains."),
	TODO("vcpu-pin", true, DOM, "<Domain> <VCPU|all> <CPUs|all>",
	     "Set which CPUs a VCPU can use."),
	TODO("vcpu-set", true, DOM, "<Domain> <vCPUs>",
	     "Set the number of active VCPUs allowed for the domain."),
	TODO("debug-keys", true, HOST, "<Keys>",
	     "Send debug keys to the hypervisor."),
	XEND("dmesg", 0, false, HOST, "[-c|--clear]",
	     "Read and/or clear the hypervisor's message buffer."),
	XEND("info", 0, false, HOST, "[-c|--config]",
	     "Get information about the host."),
	XEND("log", 0, false, HOST, "", "Print the xend log."),
	TODO("serve", false, HOST, "",
	     "Proxy xend's API over stdin/stdout."),
	TODO("sched-credit", true, SCHED, "[-d <Domain> [-w[=WEIGHT]|"
	     "-c[=CAP]]]", "Get/set credit scheduler parameters."),
	TODO("sched-sedf", true, SCHED, "<Domain> [options]",
	     "Get/set EDF parameters."),
	XEND("block-attach", 4, true, DEV, "<Domain> <BackDev> <FrontDev> "
	     "<Mode> [BackDomain]", "Create a new virtual block device."),
	XEND("block-detach", 2, true, DEV, "<Domain> <DevId> [-f|--force]",
	     "Destroy a domain's virtual block device."),
	XEND("block-list", 1, false, DEV, "<Domain> [--long]",
	     "List virtual block devices for a domain."),
	TODO("block-configure", true, DEV, "<Domain> <BackDev> <FrontDev> "
	     "<Mode> [BackDomain]", "Change block device configuration."),
	XEND("network-attach", 1, true, DEV, "<Domain> [type=<type>] "
	     "[mac=<mac>] [bridge=<bridge>] [ip=<ip>] [script=<script>] "
	     "[backend=<BackDomain>] [vifname=<name>] [rate=<rate>] "
	     "[model=<model>]", "Create a new virtual network device."),
	XEND("network-detach", 2, true, DEV, "<Domain> <DevId|mac> "
	     "[-f|--force]", "Destroy a domain's virtual network device."),
	XEND("network-list", 1, false, DEV, "<Domain> [--long]",
	     "List virtual network interfaces for a domain."),
	TODO("vtpm-list", false, DEV, "<Domain> [--long]",
	     "List virtual TPM devices."),
	TODO("vnet-list", false, VNET, "[-l|--long]",
	     "List Vnets."),
	TODO("vnet-create", true, VNET, "<ConfigFile>",
	     "Create a vnet from ConfigFile."),
	TODO("vnet-delete", true, VNET, "<VnetId>", "Delete a Vnet."),
	TODO("labels", false, SEC, "[policy] [type=dom|res|any]",
	     "List <type> labels for (active) policy."),
	TODO("addlabel", true, SEC, "<label> {dom <ConfigFile>|res "
	     "<resource>} [<policy>]", "Add security label to domain."),
	TODO("rmlabel", true, SEC, "{dom <ConfigFile>|res <Resource>}",
	     "Remove a security label from domain."),
	TODO("getlabel", false, SEC, "{dom <ConfigFile>|res <Resource>}",
	     "Show security label for domain or resource."),
	TODO("dry-run", false, SEC, "<ConfigFile>",
	     "Test if a domain can access its resources."),
	TODO("resources", false, SEC, "",
	     "Show info for each labeled resource."),
	TODO("makepolicy", true, SEC, "<policy>",
	     "Build policy and create .bin/.map files."),
	TODO("loadpolicy", true, SEC, "<policy.bin>",
	     "Load binary policy into hypervisor."),
	TODO("cfgbootpolicy", true, SEC, "<policy> [boot-title]",
	     "Add policy to boot configuration."),
	TODO("dumppolicy", false, SEC, "",
	     "Print hypervisor ACM state information."),
	{ "help", cmd_help, CMD_LOCAL, true, false, HOST,
	  "[--long] [<subcommand>]",
	  "Display this message, or the usage of one subcommand.", 0 },
};

const unsigned cmd_table_len = sizeof(cmd_table) / sizeof(cmd_table[0]);

const struct cmd_spec *cmd_find(const char *name)
{
	for (unsigned i = 0; i < cmd_table_len; i++)
		if (!strcmp(cmd_table[i].name, name))
			return &cmd_table[i];
	return NULL;
}

bool cmd_wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help") ||
		    !strcmp(argv[i], "-?"))
			return true;
	}
	return false;
}

void cmd_print_usage(const struct xm *xm, const struct cmd_spec *cmd,
		     FILE *f)
{
	fprintf(f, "Usage: %s %s%s%s\n\n%s\n", xm->prog, cmd->name,
		*cmd->usage ? " " : "", cmd->usage, cmd->help);
	if (cmd->kind == CMD_TODO)
		fprintf(f, "\n(kxen: not implemented yet)\n");
	if (!strcmp(cmd->name, "create") || !strcmp(cmd->name, "new"))
		fprintf(f, "\nWith bootloader = \"pygrub\" the kernel, initrd and "
			"command line come from\nthe grub.cfg or extlinux.conf "
			"inside the domain's first disk (kxen-pygrub).\n"
			"kxen-create-image --hostname NAME [--pygrub] makes a "
			"Debian image and its\n/etc/xen/NAME.cfg "
			"(kxen-create-image --help).\n");
}

int cmd_todo(struct xm *xm, const struct cmd_spec *cmd, int argc,
	     char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "%s: '%s' is not implemented yet\n", xm->prog,
		cmd->name);
	return XM_ERR;
}
