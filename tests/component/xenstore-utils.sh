#!/usr/bin/env bash
# xenstored against Debian's xenstore-utils (XENSTORED_PATH = temp socket).
. "$(dirname "$0")/xenstore_lib.sh"
xs_start

xenstore-write /local/domain/0/name Domain-0 /vm/u1/name guest
check "read" "Domain-0" "$(xenstore-read /local/domain/0/name)"
check "read relative to /local/domain/0" "Domain-0" "$(xenstore-read name)"
check "read missing fails" "1" "$(xenstore-read /nope 2>/dev/null; echo $?)"
check "ls -f" '/tool = ""
/tool/xenstored = ""
/local = ""
/local/domain = ""
/local/domain/0 = ""
/local/domain/0/name = "Domain-0"
/vm = ""
/vm/u1 = ""
/vm/u1/name = "guest"' "$(xenstore-ls -f /)"
# ls -p pads with dots to the terminal width: compare the ACL column only
acl() { sed -e 's/^\([^=]*=\).*(\([^)]*\))$/\1 (\2)/'; }
xenstore-chmod /vm/u1/name n0 r5 b7
check "chmod + ls -p" 'name = (n0,r5,b7)' "$(xenstore-ls -p /vm/u1 | acl)"
check "chmod -r" "" "$(xenstore-chmod -r /vm r3)"
check "ls -f -p after chmod -r" '/vm/u1/name = (r3)' "$(xenstore-ls -f -p /vm/u1 | acl)"
check "list" "tool
local
vm" "$(xenstore-list /)"
check "exists" "0" "$(xenstore-exists /vm/u1; echo $?)"
check "exists missing" "1" "$(xenstore-exists /vm/u2 2>/dev/null; echo $?)"
xenstore-write /big "$(head -c 3000 /dev/zero | tr '\0' x)"
check "3000-byte value" "3000" "$(xenstore-read /big | tr -d '\n' | wc -c)"
# a directory over 4096 bytes: DIRECTORY says E2BIG, libxenstore falls
# back to DIRECTORY_PART chunks
for i in $(seq 150); do echo "/wide/entry-with-a-fairly-long-name-number-$i x"; done | xargs xenstore-write
check "xenstore-list of a 6 KB directory (DIRECTORY_PART)" "150 150" \
	"$(xenstore-list /wide | wc -l) $(xenstore-list /wide | sort -u | wc -l)"
check "last entry in order" "entry-with-a-fairly-long-name-number-150" "$(xenstore-list /wide | tail -n 1)"
xenstore-rm /wide
xenstore-rm /vm/u1/name
check "rm" "" "$(xenstore-list /vm/u1)"
check "rm absent under existing parent" "0" "$(xenstore-rm /vm/u1/none; echo $?)"
check "rm absent parent fails" "1" "$(xenstore-rm /vm/none/none 2>/dev/null; echo $?)"
xenstore-write /t/a/b/c 1
xenstore-rm -t /t/a/b/c
check "rm -t prunes empty parents" "1" "$(xenstore-exists /t 2>/dev/null; echo $?)"
check "bad path //" "1" "$(xenstore-write /a//b x 2>/dev/null; echo $?)"
check "bad path trailing /" "1" "$(xenstore-write /a/ x 2>/dev/null; echo $?)"
check "bad char" "1" "$(xenstore-write '/a b' x 2>/dev/null; echo $?)"
check "rm / refused" "1" "$(xenstore-rm / 2>/dev/null; echo $?)"

# watches: initial event, subtree, rm
xenstore-watch -n 4 /w > "$XS_TMP/watch.out" &
WPID=$!
sleep 0.3
xenstore-write /w/x 1
xenstore-write /other 1
xenstore-write /w/y/z 2
xenstore-rm /w
wait $WPID
check "xenstore-watch events" "/w
/w/x
/w/y/z
/w" "$(cat "$XS_TMP/watch.out")"

# xenstore-control needs xen-utils-4.17 (its wrapper is in xenstore-utils)
if xenstore-control check >/dev/null 2>&1; then
	check "control check" "OK" "$(xenstore-control check)"
	check "control unknown fails" "1" "$(xenstore-control nosuchcmd >/dev/null 2>&1; echo $?)"
else
	echo "skip xenstore-control (xen-utils-4.17 not installed)"
fi

# the read-only socket refuses writes
check "socket_ro read" "Domain-0" "$(XENSTORED_PATH=${XENSTORED_PATH}_ro xenstore-read /local/domain/0/name)"
check "socket_ro write refused" "1" "$(XENSTORED_PATH=${XENSTORED_PATH}_ro xenstore-write /ro x 2>/dev/null; echo $?)"
# --daemon --pid-file: detaches, pid file names the daemon, SIGTERM ends it
"$XS_BIN" --daemon --pid-file "$XS_TMP/d.pid" --socket "$XS_TMP/d.sock" \
	--state-dir "$XS_TMP/d.state" --log-file "$XS_TMP/d.log"
check "daemon mode returns at once" "0" "$?"
dpid=$(cat "$XS_TMP/d.pid" 2>/dev/null)
check "pid file names a live xenstored" "xenstored" "$(cat /proc/$dpid/comm 2>/dev/null)"
check "daemon serves" "OK" "$(XENSTORED_PATH=$XS_TMP/d.sock xenstore-write /x 1 && echo OK)"
# running = present and not a zombie (nobody may reap the detached daemon)
running() { [ -r /proc/$1/stat ] && ! grep -q '^[0-9]* ([^)]*) Z' /proc/$1/stat; }
kill "$dpid" 2>/dev/null
for _ in $(seq 50); do running "$dpid" || break; sleep 0.05; done
check "daemon exits on SIGTERM and removes its pid file" "gone" \
	"$(running "$dpid" || [ -e "$XS_TMP/d.pid" ] || echo gone)"
xs_done
