# shellcheck shell=bash disable=SC2034  # sets variables for the sourcing script
# /etc/xen/scripts/vif-common.sh: what every vif-* script starts with.
# Called as `<script> online|offline [k=v...]` with, in the environment:
#   XENBUS_PATH   the backend directory, /local/domain/0/backend/vif/D/N
#   vif           the tap the monitor made for it (vifD.N)
#   XENSTORED_PATH  kxen's XenStore socket (read by xenstore-utils)
# Sets: command, dev (= vif), domid, devid, ip (space-separated, from
# XenStore), mac.

dir=$(dirname "$0")
# shellcheck source=xen-hotplug-common.sh
. "$dir/xen-hotplug-common.sh"

command=${1:-}
case "$command" in
online | offline) shift ;;
add | remove) exit 0 ;; # qemu-dm taps: kxen has none
*)
	log err "invalid command '$command': use online or offline"
	exit 1
	;;
esac
evalVariables "$@"

XENBUS_PATH=${XENBUS_PATH:?XENBUS_PATH is not set}
vif=${vif:?vif is not set}

# .../backend/vif/<domid>/<devid>
devid=${XENBUS_PATH##*/}
domid=${XENBUS_PATH%/*}
domid=${domid##*/}

# vifname= in the guest's config renames the tap.
vifname=$(xenstore_read_default "$XENBUS_PATH/vifname" "")
if [ -n "$vifname" ]; then
	if [ "$command" = online ] && ! ip link show dev "$vifname" >/dev/null 2>&1; then
		do_or_die ip link set dev "$vif" name "$vifname"
	fi
	vif=$vifname
fi
dev=$vif

ip=$(xenstore_read_default "$XENBUS_PATH/ip" "${ip:-}")
mac=$(xenstore_read_default "$XENBUS_PATH/mac" "")

# ip_of DEV: the first IPv4 address on DEV, without its prefix length.
ip_of() {
	ip -4 -o addr show dev "$1" 2>/dev/null |
		awk '{ split($4, a, "/"); print a[1]; exit }'
}

# default_netdev: the device the default route leaves by.
default_netdev() {
	ip -4 route show default 2>/dev/null |
		awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }'
}

# dom0_ip: the host address vif-route and vif-nat route through, on
# $netdev (parameter), else the default route's device.
dom0_ip() {
	local nd=${netdev:-$(default_netdev)} result
	[ -n "$nd" ] || fatal "no netdev given and no default route"
	result=$(ip_of "$nd")
	[ -n "$result" ] ||
		fatal "$nd has no IPv4 address: bring it up or pass netdev=<if>"
	echo "$result"
}

# nft_delete_tagged FAMILY TABLE CHAIN TAG: delete the rules whose
# comment is TAG (each vif tags its own rules with its name).
nft_delete_tagged() {
	local h
	for h in $(nft -a list chain "$1" "$2" "$3" 2>/dev/null |
		awk -v tag="comment \"$4\"" 'index($0, tag) { print $NF }'); do
		do_without_error nft delete rule "$1" "$2" "$3" handle "$h"
	done
}
