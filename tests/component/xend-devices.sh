#!/usr/bin/env bash
# xend's device nodes with the fake monitor (no backends): disk= and vif=
# become libxl's frontend/backend directories with Xen's permissions; bad
# disk specs are refused before anything is created; a vif without mac=
# gets a 00:16:3e MAC that stays the same across a reboot; a disk another
# domain writes is refused; block-/network-attach, -detach and -list on a
# running domain, with a guest that lets go slowly or never. (Detach with
# real backends and a real guest: tests/component/blk-testbed.sh.)
. "$(dirname "$0")/xend_lib.sh"
xs_start
xend_start --min-restart-interval 0

perm() { /usr/bin/python3 - "$1" <<'EOF'
import os, sys
from pyxs import Client
c = Client(unix_socket_path=os.environ["XENSTORED_PATH"]); c.connect()
print(",".join(p.decode() for p in c.get_perms(sys.argv[1].encode())))
EOF
}
truncate -s 16M "$T/a.img" "$T/b.img" "$T/c.img" "$T/q.img"
make_cfg web "disk = ['file:$T/a.img,xvda,w', 'phy:$T/b.img,xvdb1,r']" \
	"vif = ['bridge=xenbr0', 'mac=00:16:3e:00:00:42,bridge=br1,rate=10Mb/s']"
check_rc "create with disks and vifs" 0 "$XM" create -q "$T/web.cfg"
F=/local/domain/1/device B=/local/domain/0/backend
check "vbd frontend backend" "$B/vbd/1/51712" "$(xenstore-read $F/vbd/51712/backend)"
check "vbd frontend state" "1" "$(xenstore-read $F/vbd/51712/state)"
check "vbd virtual-device" "51712" "$(xenstore-read $F/vbd/51712/virtual-device)"
check "vbd device-type" "disk" "$(xenstore-read $F/vbd/51712/device-type)"
check "vbd frontend perms (nD,r0)" "n1,r0" "$(perm $F/vbd/51712)"
check "vbd frontend key perms" "n1,r0" "$(perm $F/vbd/51712/state)"
check "vbd backend perms (n0,rD)" "n0,r1" "$(perm $B/vbd/1/51712)"
check "vbd backend params" "$T/a.img" "$(xenstore-read $B/vbd/1/51712/params)"
check "vbd backend frontend" "$F/vbd/51712" "$(xenstore-read $B/vbd/1/51712/frontend)"
check "vbd backend frontend-id" "1" "$(xenstore-read $B/vbd/1/51712/frontend-id)"
check "vbd mode w" "w" "$(xenstore-read $B/vbd/1/51712/mode)"
check "xvdb1 is 51729, mode r" "r" "$(xenstore-read $B/vbd/1/51729/mode)"
check "vbd backend type phy" "phy" "$(xenstore-read $B/vbd/1/51729/type)"
mac0=$(xenstore-read $F/vif/0/mac)
case $mac0 in 00:16:3e:[0-7]?:??:??) check "default MAC is Xen's OUI" ok ok ;;
	*) check "default MAC is Xen's OUI" "00:16:3e:..." "$mac0" ;; esac
check "vif frontend handle" "0" "$(xenstore-read $F/vif/0/handle)"
check "vif backend mac" "$mac0" "$(xenstore-read $B/vif/1/0/mac)"
check "vif backend bridge default" "xenbr0" "$(xenstore-read $B/vif/1/0/bridge)"
check "vif backend script" "/etc/xen/scripts/vif-bridge" "$(xenstore-read $B/vif/1/0/script)"
check "vif 1 mac" "00:16:3e:00:00:42" "$(xenstore-read $F/vif/1/mac)"
check "vif 1 bridge" "br1" "$(xenstore-read $B/vif/1/1/bridge)"
check "vif 1 rate (libxl: bytes per interval,us)" "62500,50000" "$(xenstore-read $B/vif/1/1/rate)"
check "vif frontend perms" "n1,r0" "$(perm $F/vif/0)"
check "vif backend perms" "n0,r1" "$(perm $B/vif/1/0)"

# The disk web writes: refused to a second domain, allowed read-only? no:
# a writer excludes readers too, as Xen's "already in use" check.
make_cfg other "disk = ['file:$T/a.img,xvda,r']"
check_rc "a disk another domain writes is refused" 1 "$XM" create -q "$T/other.cfg"
check "refusal names the disk and the domain" 1 "$(grep -c "already in use by domain 'web'" <<<"$OUT")"
check "nothing left of 'other'" "" "$("$XM" list other 2>/dev/null)"
make_cfg shared "disk = ['file:$T/c.img,xvda,w!']"
check_rc "w! disks may be shared (1)" 0 "$XM" create -q "$T/shared.cfg"
make_cfg shared2 "disk = ['file:$T/c.img,xvda,w!']"
check_rc "w! disks may be shared (2)" 0 "$XM" create -q "$T/shared2.cfg"

# Bad disk specs: refused with the reason, nothing created.
bad_disk() {
	make_cfg bad "disk = ['$2']"
	check_rc "$1" 1 "$XM" create -q "$T/bad.cfg"
	check "$1: message" 1 "$(grep -c "$3" <<<"$OUT")"
	check "$1: no domain" "" "$("$XM" list bad 2>/dev/null)"
}
bad_disk "missing image" "file:$T/nosuch.img,xvda,w" "nosuch.img"
bad_disk "bad vdev" "file:$T/b.img,xvq,w" "xvq"
bad_disk "unknown image format" "tap:vmdk:$T/b.img,xvda,w" "vmdk"
make_cfg q "disk = ['tap:qcow2:$T/q.img,xvda,w']"
check_rc "tap:qcow2 disk" 0 "$XM" create -q "$T/q.cfg"
qid=$(dom_field q 2)
check "qcow2 goes through the block-qemu script" "/etc/xen/scripts/block-qemu" \
	"$(xenstore-read $B/vbd/$qid/51712/script)"
check "qcow2 format node" "qcow2" "$(xenstore-read $B/vbd/$qid/51712/format)"
"$XM" destroy q
make_cfg bad "disk = ['file:$T/b.img,xvda,r', 'file:$T/c.img,xvda,r']"
check_rc "vdev twice" 1 "$XM" create -q "$T/bad.cfg"
check "vdev twice: message" 1 "$(grep -c "used twice" <<<"$OUT")"
check "no nodes for refused domains" "" "$(xenstore-list /local/domain 2>/dev/null | grep -vx '[0-4]')"

# The MAC stays across a reboot (new domain id, same uuid).
"$XM" reboot web
wait_until 5 '[ "$(dom_field web 2)" != 1 ] && [ -n "$(dom_field web 2)" ]'
id=$(dom_field web 2)
check "rebooted web keeps its MAC" "$mac0" "$(xenstore-read /local/domain/$id/device/vif/0/mac 2>&1)"

# A backend that refuses a device (its hotplug script failed): the create
# fails with the backend's reason and nothing is left.
printf 'DEVICE_FAIL=bridge br9 does not exist\n' >"$T/failkernel"
make_cfg vfail KERNEL="$T/failkernel" "vif = ['bridge=br9']"
check_rc "a device the backend refuses fails the create" 1 "$XM" create -q "$T/vfail.cfg"
check "the refusal carries the backend's reason" 1 "$(grep -c 'vif 0: bridge br9 does not exist' <<<"$OUT")"
check "no domain left after a refused device" "" "$("$XM" list vfail 2>/dev/null)"

# A hotplug script that takes its time holds up only its own create: xend
# answers meanwhile, and the create ends when the backends are ready.
printf 'DEVICE_AFTER=3\n' >"$T/slowdevkernel"
truncate -s 16M "$T/d.img"
make_cfg slowdev KERNEL="$T/slowdevkernel" "disk = ['file:$T/d.img,xvda,w']"
"$XM" create -q "$T/slowdev.cfg" >"$T/slowdev.out" 2>&1 & cpid=$!
wait_until 5 '"$XM" list slowdev'
check_rc "xm list answers while the devices wait" 0 "$XM" list slowdev
check "the create was still waiting then" yes "$(kill -0 $cpid && echo yes)"
wait $cpid
check "the create then succeeds" "0 Started domain slowdev" "$? $(cut -d' ' -f1-3 "$T/slowdev.out")"
check "and the domain runs" "r" "$("$XM" list slowdev | awk 'NR == 2 { print substr($5, 1, 1) }')"
"$XM" destroy slowdev

# Hotplug nodes on a running domain.
check_rc "block-attach" 0 "$XM" block-attach web "file:$T/b.img" xvdc r
check "attached vbd frontend" "51744" "$(xenstore-read /local/domain/$id/device/vbd/51744/virtual-device)"
check "attached vbd params" "$T/b.img" "$(xenstore-read $B/vbd/$id/51744/params)"
check_rc "block-attach a bad spec" 1 "$XM" block-attach web "file:$T/nosuch" xvdd w
check "block-attach names the file" 1 "$(grep -c nosuch <<<"$OUT")"
check_rc "block-attach the vdev again" 1 "$XM" block-attach web "file:$T/c.img" xvdc r
check_rc "block-list" 0 "$XM" block-list web
check "block-list rows" "3" "$(grep -c '^5' <<<"$OUT")"
check_rc "network-attach" 0 "$XM" network-attach web bridge=br2
check "attached vif bridge" "br2" "$(xenstore-read $B/vif/$id/2/bridge)"
check_rc "network-attach a MAC in use" 1 "$XM" network-attach web mac=00:16:3e:00:00:42
check_rc "network-list" 0 "$XM" network-list web
check "network-list rows" "3" "$(grep -c '^[0-9]' <<<"$OUT")"
check_rc "block-detach of a missing device" 1 "$XM" block-detach web xvdz
check_rc "block-detach xvdc" 0 "$XM" block-detach web xvdc
check "detached disk's nodes removed" "" "$(xenstore-list $B/vbd/$id 2>/dev/null | grep -x 51744)"
check_rc "network-detach by MAC" 0 "$XM" network-detach web 00:16:3e:00:00:42
check "detached vif's nodes removed" "" "$(xenstore-list $B/vif/$id 2>/dev/null | grep -x 1)"
check_rc "block-attach to Domain-0" 1 "$XM" block-attach 0 "file:$T/b.img" xvdc r

# A guest slow to let go of a disk holds up its own detach, not xend: other
# commands are answered meanwhile, and the detach ends when the guest lets
# go. One that never lets go keeps the disk, and the detach says so.
truncate -s 16M "$T/s.img" "$T/n.img"
printf 'DETACH_AFTER=3\n' >"$T/slowkernel"
make_cfg slow KERNEL="$T/slowkernel" "disk = ['file:$T/s.img,xvda,w']" \
	"vif = ['bridge=xenbr0']"
check_rc "create a guest slow to let go" 0 "$XM" create -q "$T/slow.cfg"
sid=$(dom_field slow 2)
REC=$(cat "$RUN/domains/$sid/domain.json")
"$XM" block-detach slow xvda >"$T/detach.out" 2>&1 & dpid=$!
wait_until 5 '[ "$(xenstore-read $B/vbd/$sid/51712/online)" = 0 ]'
check_rc "xm list answers while a detach waits" 0 "$XM" list
check "the detach was still waiting then" yes "$(kill -0 $dpid && echo yes)"
check_rc "the same detach twice" 1 "$XM" block-detach slow 51712
check "the second one says why" 1 "$(grep -c 'already being detached' <<<"$OUT")"
wait $dpid
check "the slow detach succeeds" "0 " "$? $(cat "$T/detach.out")"
check "its nodes are removed" "" "$(xenstore-list $B/vbd/$sid 2>/dev/null)"
check "the record had the disk" 1 "$(grep -c "$T/s.img" <<<"$REC")"
check "its disk is out of the record" 0 "$(grep -c "$T/s.img" "$RUN/domains/$sid/domain.json")"
check_rc "network-detach of a slow guest" 0 "$XM" network-detach slow 0
check "the slow guest's vif is gone" "" "$(xenstore-list $B/vif/$sid 2>/dev/null)"
printf 'DETACH_AFTER=never\n' >"$T/stuckkernel"
make_cfg stuck KERNEL="$T/stuckkernel" "disk = ['file:$T/n.img,xvda,w']"
check_rc "create a guest that never lets go" 0 "$XM" create -q "$T/stuck.cfg"
nid=$(dom_field stuck 2)
check_rc "block-detach from it fails" 1 "$XM" block-detach stuck xvda
check "and says the guest did not release it" 1 "$(grep -c 'did not release device 51712' <<<"$OUT")"
check "the disk stays attached" "51712" "$(xenstore-list $B/vbd/$nid)"
check_rc "block-list still shows it" 0 "$XM" block-list stuck
check "block-list row" 1 "$(grep -c '^51712' <<<"$OUT")"
"$XM" destroy stuck
"$XM" destroy slow
"$XM" destroy web
check "backend dirs removed with the domain" "" "$(xenstore-list $B/vbd 2>/dev/null | grep -x "$id")"
echo "xend-devices: $FAILS failed"
[ "$FAILS" = 0 ]
