#!/bin/sh
# Virtual networks end to end: the stock kernel's xen-netfront against
# kxen's netback and the vif scripts, through xm create, in the test bed.
#
# On the host: skipped unless KXEN_XEND_TESTBED=1; then builds a guest
# initramfs whose kxen.run script configures its NICs from the kernel
# command line and pings, and runs itself with testbed/run. Inside:
#   - xenbr0 (network-bridge, host address 10.0.0.1): guest a (10.0.0.2)
#     pings the host, and the host pings it;
#   - xenbr1, host-only (no uplink, no host address): guests a (10.0.1.2)
#     and b (10.0.1.3) reach each other;
#   - NAT (vif-nat): guest b's second NIC gets a DHCP lease from dnsmasq
#     and reaches the host's address through the masquerade;
#   - network-list, network-detach and network-attach on a running guest.
set -u
if [ -z "${KXEN_TESTBED:-}" ]; then
	if [ "${KXEN_XEND_TESTBED:-}" != 1 ]; then
		echo "net-testbed: skipped (set KXEN_XEND_TESTBED=1 to boot the test bed)"
		exit 0
	fi
	set -e
	art=$(scripts/guest-artifacts | tail -n 1)
	t=$(mktemp -d)
	trap 'rm -rf "$t"' EXIT
	mkdir -p "$t/ov/usr/share/udhcpc"
	cat >"$t/ov/usr/share/udhcpc/default.script" <<'EOF'
#!/bin/sh
# busybox udhcpc's hook: apply the lease.
case $1 in
bound|renew)
	ip addr flush dev "$interface"
	ip addr add "$ip/${mask:-24}" dev "$interface"
	[ -n "$router" ] && ip route add default via "${router%% *}" dev "$interface"
	echo "NET-LEASE-$interface=$ip" | tee /tmp/lease-$interface ;;
esac
EOF
	cat >"$t/ov/nettest" <<'EOF'
#!/bin/sh
# Runs in the guest (kxen.run). kxen.ip0=ADDR/LEN kxen.ip1=... or dhcp;
# kxen.ping="A B ..." addresses to ping; one line per result.
arg() { sed -n "s/.*kxen\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
for n in 0 1; do
	a=$(arg ip$n)
	[ -n "$a" ] || continue
	for i in $(seq 200); do [ -e /sys/class/net/eth$n ] && break; sleep 0.1; done
	ip link set eth$n up
	if [ "$a" = dhcp ]; then
		udhcpc -s /usr/share/udhcpc/default.script -i eth$n -q -n -t 10 -T 2 2>&1 | sed 's/^/NET-DHCP: /' | tail -n 4
		grep -h NET-LEASE /tmp/lease-* 2>/dev/null ||
			echo "NET-LEASE-eth$n=none"
		ip route | sed 's/^/NET-ROUTE: /'
	else
		ip addr add "$a" dev eth$n
	fi
	echo "NET-MAC-eth$n=$(cat /sys/class/net/eth$n/address)"
done
echo NET-UP
for p in $(arg ping | tr , ' '); do
	if ping -c 3 -W 3 "$p" >/dev/null 2>&1; then r=ok; else r=fail; fi
	echo "NET-PING-$p=$r"
done
echo NET-DONE
# Hotplug: report NICs appearing and going.
while :; do
	echo "NET-IFACES=$(ls /sys/class/net | tr '\n' ' ')"
	sleep 0.5
done
EOF
	chmod 755 "$t/ov/nettest" "$t/ov/usr/share/udhcpc/default.script"
	sh tests/component/guest-initrd.sh "$art/initramfs-modules.cpio.gz" "$t/ov" "$t/initrd"
	set +e
	exec testbed/run --timeout "${KXEN_NET_TESTBED_TIMEOUT:-700}" "$0" testbed/dom0.sh "$t/initrd"
fi

TB_NAME=net-testbed
. "$KXEN_FILES/dom0.sh"
F=$KXEN_FILES
W=/tmp/nt
dom0_start $W
/etc/xen/scripts/network-bridge start bridge=xenbr0 addr=10.0.0.1/24 ||
	bad "network-bridge start"
# "Outside": a network namespace behind a veth that has no route back to
# the NAT network, so only masqueraded packets get an answer.
# (iproute2's ip by path: the nested host's busybox sh prefers its applet.)
IP=/kxen/bin/ip
$IP netns add ext && $IP link add vext type veth peer name vext-in &&
	$IP link set vext-in netns ext && $IP addr add 192.168.50.2/24 dev vext &&
	$IP link set vext up && $IP -n ext addr add 192.168.50.1/24 dev vext-in &&
	$IP -n ext link set vext-in up || bad "outside namespace"
dom0_start_xend
val() { sed -n "s/^$2=\\([^\\r]*\\).*/\\1/p" $W/clog/guest-$1.log | tail -n 1 | tr -d '\r'; }
cfg() { # NAME VIFS EXTRA VCPUS
	cat >$W/$1.cfg <<EOF
name = "$1"
kernel = "$KXEN_GUEST_KERNEL"
ramdisk = "$F/initrd"
extra = "console=hvc0 xen.fifo_events=0 rdinit=/init kxen.run=/nettest $3"
memory = 192
vcpus = $4
vif = [ $2 ]
EOF
}
cfg a "'bridge=xenbr0', 'bridge=xenbr1'" \
	"kxen.ip0=10.0.0.2/24 kxen.ip1=10.0.1.2/24 kxen.ping=10.0.0.1" 2
cfg b "'bridge=xenbr1', 'script=vif-nat'" \
	"kxen.ip0=10.0.1.3/24 kxen.ip1=dhcp kxen.ping=10.0.1.2,10.0.0.1,192.168.50.1" 1
out=$(xm create $W/a.cfg 2>&1) && ok "create a: $out" || bad "create a: $out"
if ! wait_log $W/clog/guest-a.log NET-DONE 120; then
	bad "a did not finish"
	tail -n 40 $W/clog/guest-a.log; tail -n 30 $W/run/domains/1/monitor.log
	ip link; xenstore-ls /local/domain/0/backend/vif 2>&1 | head -n 40
fi
out=$(xm create $W/b.cfg 2>&1) && ok "create b: $out" || bad "create b: $out"
if ! wait_log $W/clog/guest-b.log NET-DONE 120; then
	bad "b did not finish"
	tail -n 40 $W/clog/guest-b.log; tail -n 30 $W/run/domains/2/monitor.log
fi

[ "$(val a NET-PING-10.0.0.1)" = ok ] && ok "bridged guest pings the host" || bad "a -> host: $(val a NET-PING-10.0.0.1)"
ping -c 3 -W 3 10.0.0.2 >/dev/null 2>&1 && ok "the host pings the bridged guest" || bad "host -> a"
[ "$(val b NET-PING-10.0.1.2)" = ok ] && ok "two guests on a host-only bridge reach each other" ||
	bad "b -> a on xenbr1: $(val b NET-PING-10.0.1.2)"
lease=$(val b NET-LEASE-eth1)
case $lease in 10.0.99.*) ok "NAT guest got a DHCP lease from dnsmasq: $lease" ;;
	*) bad "NAT lease: '$lease'" ;; esac
[ "$(val b NET-PING-10.0.0.1)" = ok ] && ok "NAT guest reaches a host address" ||
	bad "b -> 10.0.0.1 via NAT: $(val b NET-PING-10.0.0.1)"
[ "$(val b NET-PING-192.168.50.1)" = ok ] &&
	ok "NAT guest reaches an outside address that has no route back (masquerade)" ||
	bad "b -> 192.168.50.1 through the masquerade: $(val b NET-PING-192.168.50.1)"
mac=$(val a NET-MAC-eth0)
[ "$mac" = "$(xenstore-read /local/domain/1/device/vif/0/mac 2>/dev/null)" ] &&
	ok "the guest's MAC is xend's ($mac)" || bad "guest MAC $mac"
[ -e /sys/class/net/xenbr1/brif/vif1.1 ] && ok "vif1.1 is on xenbr1" ||
	bad "xenbr1 members: $(ls /sys/class/net/xenbr1/brif 2>&1)"
ip -4 addr show xenbr1 2>/dev/null | grep -q inet && bad "host-only bridge has a host address" ||
	ok "xenbr1 has no host address"

if [ "$lease" = none ] || [ -z "$lease" ]; then
	echo "--- NAT diagnostics"; ls /sys/class/net/kxennat0/brif; ps | grep [d]nsmasq
	ls -la /run/kxen/hotplug/ /run/kxen/hotplug/*.hosts 2>&1 | head
	nft list ruleset | head -n 20
	grep -h "vif-nat\|dnsmasq" $W/run/domains/2/monitor.log | tail -n 10
fi
grep -q "vif/1/0: connected (vif1.0, 2 queue(s))" $W/run/domains/1/monitor.log &&
	ok "netfront took two queues (2 vCPUs)" ||
	bad "no multi-queue vif: $(grep connected $W/run/domains/1/monitor.log)"
# Hotplug on guest a.
xm network-list a >$W/nl 2>&1
[ "$(grep -c '^[0-9]' $W/nl)" = 2 ] && ok "network-list shows 2 vifs" || bad "network-list: $(cat $W/nl)"
out=$(xm network-detach a 1 2>&1) && ok "network-detach a 1" || bad "network-detach: $out"
ip link show vif1.1 >/dev/null 2>&1 && bad "vif1.1 still on the host" || ok "vif1.1 gone from the host"
i=0; while [ "$(val a NET-IFACES | wc -w)" != 2 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
[ "$(val a NET-IFACES | wc -w)" = 2 ] && ok "guest saw the detached NIC go" ||
	bad "guest NICs after detach: $(val a NET-IFACES)"
out=$(xm network-attach a bridge=xenbr1 2>&1) && ok "network-attach" || bad "network-attach: $out"
# The guest names the new NIC eth1 again (the old one went).
nics() { val a NET-IFACES | wc -w; }
i=0; while [ "$(nics)" != 3 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
[ "$(nics)" = 3 ] && ok "guest sees the new NIC" || bad "guest NICs: $(val a NET-IFACES)"
ip link show vif1.2 >/dev/null 2>&1 && ok "vif1.2 on the host" || bad "no vif1.2"

xm destroy a; xm destroy b
sleep 1
ip link show vif1.0 >/dev/null 2>&1 && bad "vif1.0 left after destroy" || ok "vifs go with the domain"
dom0_stop
grep -E 'WARNING:|BUG:|Call Trace' $W/clog/guest-*.log && bad "kernel warnings"
if [ $fail != 0 ]; then
	for g in a b; do echo "--- guest $g"; grep -v NET-IFACES $W/clog/guest-$g.log | tail -n 30; done
	echo "--- nft"; nft list ruleset 2>&1 | head -n 40
	echo "--- host routes"; ip route; ip addr show kxennat0
	echo "--- xend.log"; tail -n 30 $W/xend.log
fi
echo "net-testbed: $fail failed"
[ $fail = 0 ]
