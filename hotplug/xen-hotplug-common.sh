# shellcheck shell=bash
# /etc/xen/scripts/xen-hotplug-common.sh: helpers every kxen hotplug script
# sources. Same contract as Xen's: the backend's XenStore directory is
# $XENBUS_PATH, success is `hotplug-status = connected` there, failure is
# `hotplug-status = error` plus `hotplug-error = <why>`. XenStore is reached
# with xenstore-utils, which honour $XENSTORED_PATH (kxen's socket).
#
# Tunables (environment): KXEN_HOTPLUG_RUNDIR, where locks, pid files and
# dnsmasq state live (default /run/kxen/hotplug).

set -u
export PATH=/usr/local/sbin:/usr/sbin:/sbin:/usr/local/bin:/usr/bin:/bin:$PATH

KXEN_HOTPLUG_RUNDIR=${KXEN_HOTPLUG_RUNDIR:-/run/kxen/hotplug}
mkdir -p "$KXEN_HOTPLUG_RUNDIR"
SCRIPT=$(basename "$0")

# log LEVEL MESSAGE...: to syslog when there is one, always to stderr.
log() {
	local level=$1
	shift
	logger -p "daemon.$level" -t "kxen-$SCRIPT" -- "$*" 2>/dev/null || true
	echo "$SCRIPT: $level: $*" >&2
}

xenstore_read() {
	xenstore-read "$@" || fatal "xenstore-read $* failed"
}

# xenstore_read_default PATH DEFAULT: the node's value, or DEFAULT.
xenstore_read_default() {
	xenstore-read "$1" 2>/dev/null || echo "$2"
}

xenstore_write() {
	xenstore-write "$@" || log err "xenstore-write $* failed"
}

# fatal MESSAGE...: report the failure to the toolstack and stop.
fatal() {
	log err "$*"
	if [ -n "${XENBUS_PATH:-}" ]; then
		xenstore-write "$XENBUS_PATH/hotplug-error" "$*" \
			"$XENBUS_PATH/hotplug-status" error 2>/dev/null
	fi
	exit 1
}

# success: the device is ready (the backend waits for this to connect).
success() {
	xenstore_write "$XENBUS_PATH/hotplug-status" connected
}

do_or_die() {
	"$@" || fatal "$* failed"
}

do_without_error() {
	"$@" 2>/dev/null || log debug "$* failed (ignored)"
}

# claim_lock NAME / release_lock NAME: serialise scripts that share state
# (a bridge being created, the nftables table, dnsmasq's host files).
declare -A _lock_fd
claim_lock() {
	local fd
	exec {fd}>"$KXEN_HOTPLUG_RUNDIR/$1.lock"
	flock -w 30 "$fd" || fatal "could not take lock $1"
	_lock_fd[$1]=$fd
}

release_lock() {
	local fd=${_lock_fd[$1]:-}
	[ -n "$fd" ] || return 0
	flock -u "$fd"
	exec {fd}>&-
	unset "_lock_fd[$1]"
}

# evalVariables k=v...: script parameters given on the command line
# (vif-route netdev=eth1), as Xen's scripts accept them.
evalVariables() {
	local arg
	for arg in "$@"; do
		case "$arg" in
		*=*) declare -g "${arg%%=*}=${arg#*=}" ;;
		esac
	done
}

# sysctl_set PATH VALUE: write a /proc/sys knob if it differs.
sysctl_set() {
	local cur
	cur=$(cat "/proc/sys/$1" 2>/dev/null) || return 0
	[ "$cur" = "$2" ] || echo "$2" >"/proc/sys/$1" 2>/dev/null ||
		log warning "could not set $1=$2"
}
