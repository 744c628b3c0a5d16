#!/usr/bin/env bash
# The vif hotplug scripts (hotplug/) against xenstored and a real tap made
# by backends/tap.c (kxen-mktap), inside private network and mount
# namespaces so the host's network is untouched. Asserts bridge
# membership, routes, nftables rules, dnsmasq's reservation,
# hotplug-status, and cleanup on offline. Skips without root or unshare.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${KXEN_IN_NETNS:-}" ]; then
	if [ "$(id -u)" != 0 ] || ! unshare -n -m true 2>/dev/null; then
		echo "skip: needs root and unshare -n -m"
		exit 0
	fi
	# A fresh sysfs, so /sys/class/net shows this namespace's devices.
	KXEN_IN_NETNS=1 exec unshare -n -m bash -c \
		'mount -t sysfs sysfs /sys && exec "$0" "$@"' "$0" "$@"
fi

# shellcheck source=xenstore_lib.sh
. "$TOP/tests/component/xenstore_lib.sh"
MKTAP=${MKTAP:-$TOP/build/bin/kxen-mktap}
SCRIPTS=$TOP/hotplug
export KXEN_HOTPLUG_RUNDIR=$XS_TMP/run
chmod 755 "$XS_TMP" # dnsmasq reads its hosts directory as nobody
TAP_PID=

cleanup() {
	[ -n "$TAP_PID" ] && kill "$TAP_PID" 2>/dev/null
	for p in "$KXEN_HOTPLUG_RUNDIR"/dnsmasq-*.pid; do
		[ -s "$p" ] && kill "$(cat "$p")" 2>/dev/null
	done
	xs_cleanup
}
trap cleanup EXIT

export XENBUS_PATH=/local/domain/0/backend/vif/5/0
export vif=vif5.0
P=$XENBUS_PATH

# run SCRIPT ARGS...: a hotplug script as the backend would run it.
run() {
	"$SCRIPTS/$1" "${@:2}" 2>>"$XS_TMP/scripts.log"
}
status() { xenstore-read "$P/hotplug-status" 2>/dev/null; }
master() { basename "$(readlink "/sys/class/net/$1/master" 2>/dev/null)" 2>/dev/null; }
is_up() { ip -o link show dev "$1" | grep -q '[<,]UP[,>]' && echo up || echo down; }

xs_start
ip link set lo up
xenstore-write "$P/mac" 00:16:3e:00:00:05 "$P/bridge" xenbr9 "$P/handle" 0

# --- the tap, as the monitor makes it -------------------------------------
mkfifo "$XS_TMP/tapout"
"$MKTAP" vif5.0 >"$XS_TMP/tapout" &
TAP_PID=$!
read -r ready <"$XS_TMP/tapout"
check "tap created" "ready vif5.0" "$ready"
check "tap MAC is Xen's host-side MAC" "fe:ff:ff:ff:ff:ff" \
	"$(cat /sys/class/net/vif5.0/address)"
check "tap MTU" "1500" "$(cat /sys/class/net/vif5.0/mtu)"
check "tap down until hotplug" "down" "$(is_up vif5.0)"

# --- vif-bridge --------------------------------------------------------------
run vif-bridge online
check "vif-bridge: exit status" "0" "$?"
check "vif-bridge: bridge created" "yes" "$(test -d /sys/class/net/xenbr9/bridge && echo yes)"
check "vif-bridge: vif enslaved" "xenbr9" "$(master vif5.0)"
check "vif-bridge: vif up" "up" "$(is_up vif5.0)"
check "vif-bridge: bridge up" "up" "$(is_up xenbr9)"
check "vif-bridge: hotplug-status" "connected" "$(status)"
run vif-bridge online
check "vif-bridge: online twice is fine" "0:xenbr9" "$?:$(master vif5.0)"
run vif-bridge offline
check "vif-bridge offline: out of the bridge" "" "$(master vif5.0)"
check "vif-bridge offline: vif down" "down" "$(is_up vif5.0)"
check "vif-bridge offline: bridge kept" "0" "$(ip link show xenbr9 >/dev/null 2>&1; echo $?)"
xenstore-rm "$P/hotplug-status"
xenstore-rm "$P/bridge"
run vif-bridge online
check "vif-bridge: default bridge xenbr0" "xenbr0:connected" "$(master vif5.0):$(status)"
run vif-bridge offline
xenstore-rm "$P/hotplug-status"
vif=nosuch run vif-bridge online
check "vif-bridge: missing vif fails" "1" "$?"
check "vif-bridge: failure reported" "error" "$(status)"
check "vif-bridge: hotplug-error" "no such device nosuch" \
	"$(xenstore-read "$P/hotplug-error" 2>/dev/null)"
xenstore-rm "$P/hotplug-status"
xenstore-rm "$P/hotplug-error"
run vif-bridge bogus
check "vif-bridge: unknown command" "1" "$?"

# --- network-bridge ----------------------------------------------------------
ip link add uplink0 type veth peer name uplink0p # no dummy module everywhere
ip link set uplink0p up
ip addr add 192.0.2.10/24 dev uplink0
ip link set uplink0 up
ip route add default via 192.0.2.1 dev uplink0
run network-bridge start bridge=xenbr1 netdev=uplink0
check "network-bridge: uplink enslaved" "xenbr1" "$(master uplink0)"
check "network-bridge: bridge takes the uplink's MAC" \
	"$(cat /sys/class/net/uplink0/address)" "$(cat /sys/class/net/xenbr1/address)"
check "network-bridge: address moved" "192.0.2.10/24" \
	"$(ip -4 -o addr show dev xenbr1 | awk '{ print $4 }')"
check "network-bridge: default route moved" "default via 192.0.2.1 dev xenbr1" \
	"$(ip -4 route show default | awk '{ print $1, $2, $3, $4, $5 }')"
run network-bridge stop bridge=xenbr1 netdev=uplink0
check "network-bridge stop: bridge gone" "1" "$(ip link show xenbr1 >/dev/null 2>&1; echo $?)"
check "network-bridge stop: address back" "192.0.2.10/24" \
	"$(ip -4 -o addr show dev uplink0 | awk '{ print $4 }')"
check "network-bridge stop: route back" "default via 192.0.2.1 dev uplink0" \
	"$(ip -4 route show default | awk '{ print $1, $2, $3, $4, $5 }')"
run network-bridge start bridge=xenbr2 addr=10.9.0.1/24
check "network-bridge: host-only bridge" "up 10.9.0.1/24 " \
	"$(is_up xenbr2) $(ip -4 -o addr show dev xenbr2 | awk '{ print $4 }') $(ls /sys/class/net/xenbr2/brif)"

# --- vif-route ---------------------------------------------------------------
xenstore-write "$P/ip" "192.0.2.55 192.0.2.56"
run vif-route online
check "vif-route: exit status" "0" "$?"
check "vif-route: host routes" "192.0.2.55 scope link src 192.0.2.10
192.0.2.56 scope link src 192.0.2.10" "$(ip -4 route show dev vif5.0 | sed 's/ *$//')"
check "vif-route: host address on the vif" "192.0.2.10/32" \
	"$(ip -4 -o addr show dev vif5.0 | awk '{ print $4 }')"
check "vif-route: proxy_arp" "1" "$(cat /proc/sys/net/ipv4/conf/vif5.0/proxy_arp)"
check "vif-route: forwarding" "1" "$(cat /proc/sys/net/ipv4/ip_forward)"
check "vif-route: hotplug-status" "connected" "$(status)"
run vif-route online netdev=uplink0
check "vif-route: online twice, netdev= parameter" "0" "$?"
run vif-route offline
check "vif-route offline: routes gone" "" "$(ip -4 route show dev vif5.0)"
check "vif-route offline: address gone" "" "$(ip -4 -o addr show dev vif5.0)"
check "vif-route offline: vif down" "down" "$(is_up vif5.0)"
xenstore-rm "$P/hotplug-status"

# --- vif-nat -----------------------------------------------------------------
xenstore-write "$P/ip" 10.0.99.55
run vif-nat online
check "vif-nat: exit status" "0" "$?"
check "vif-nat: vif on the NAT bridge" "kxennat0" "$(master vif5.0)"
check "vif-nat: router address" "10.0.99.1/24" \
	"$(ip -4 -o addr show dev kxennat0 | awk '{ print $4 }')"
rules() { nft list chain ip kxen_nat postrouting 2>/dev/null | grep -c 'comment "vif5.0"'; }
check "vif-nat: masquerade rule" "1" "$(rules)"
check "vif-nat: the rule's match" "1" \
	"$(nft list chain ip kxen_nat postrouting | grep -c 'ip saddr 10.0.99.55 oifname != "kxennat0" masquerade')"
check "vif-nat: DHCP reservation" "00:16:3e:00:00:05,10.0.99.55,dom5-0" \
	"$(cat "$KXEN_HOTPLUG_RUNDIR/dnsmasq-kxennat0.hosts/vif5.0" 2>/dev/null)"
dns_pid=$(cat "$KXEN_HOTPLUG_RUNDIR/dnsmasq-kxennat0.pid" 2>/dev/null)
check "vif-nat: dnsmasq running" "0" "$(kill -0 "${dns_pid:-0}" 2>/dev/null; echo $?)"
check "vif-nat: dnsmasq on the bridge" "1" \
	"$(tr '\0' ' ' <"/proc/${dns_pid:-0}/cmdline" 2>/dev/null | grep -c -- '--interface=kxennat0')"
check "vif-nat: hotplug-status" "connected" "$(status)"
run vif-nat online
check "vif-nat: online twice keeps one rule and one dnsmasq" "1 $dns_pid" \
	"$(rules) $(cat "$KXEN_HOTPLUG_RUNDIR/dnsmasq-kxennat0.pid")"
run vif-nat offline
check "vif-nat offline: rule gone" "0" "$(rules)"
check "vif-nat offline: reservation gone" "1" \
	"$(test -e "$KXEN_HOTPLUG_RUNDIR/dnsmasq-kxennat0.hosts/vif5.0"; echo $?)"
check "vif-nat offline: out of the bridge" "" "$(master vif5.0)"
check "vif-nat offline: dnsmasq kept for other vifs" "0" "$(kill -0 "${dns_pid:-0}" 2>/dev/null; echo $?)"

# --- the tap goes with its owner ---------------------------------------------
kill "$TAP_PID"
wait "$TAP_PID" 2>/dev/null
TAP_PID=
check "tap gone with kxen-mktap" "1" "$(ip link show vif5.0 >/dev/null 2>&1; echo $?)"

[ "$XS_FAILS" -eq 0 ] || { echo "script log:"; tail -n 30 "$XS_TMP/scripts.log"; }
xs_done
