#!/usr/bin/env bash
# Durability: kill -9 then restart brings the tree back; --no-recovery
# starts fresh; SIGUSR1 (live update) keeps connections, watches, rings.
. "$(dirname "$0")/xenstore_lib.sh"
xs_start
xenstore-write /keep/a 1 /keep/b "two words" /local/domain/0/name Domain-0
xenstore-chmod /keep/a n0 r5
$PY - <<'PYEOF'
import sys; sys.path.insert(0, "tests/component")
from xenstore_raw import Sock, args
s = Sock(); s.call("INTRODUCE", args("5", "1", "1"))
PYEOF
$PY - <<'PYEOF'
import sys; sys.path.insert(0, "tests/component")
from xenstore_raw import Sock, args
Sock().call("SET_PERMS", args("@releaseDomain", "n0", "r7"))
PYEOF
xenstore-rm /keep/gone 2>/dev/null
xenstore-write /keep/gone x
xenstore-rm /keep/gone
kill -9 "$XS_PID"; wait "$XS_PID" 2>/dev/null; XS_PID=
xs_start
check "kill -9: value back" "two words" "$(xenstore-read /keep/b)"
check "kill -9: perms back" "n0
r5" "$(xenstore-ls -p /keep | sed -n 's/.*(\(.*\))$/\1/p' | head -1 | tr , '\n')"
check "kill -9: removed node stays removed" "1" "$(xenstore-exists /keep/gone 2>/dev/null; echo $?)"
check "kill -9: domain record back" "T" "$($PY - <<'PYEOF'
import sys; sys.path.insert(0, "tests/component")
from xenstore_raw import Sock, args
print(Sock().call("IS_DOMAIN_INTRODUCED", args("5")).rstrip(b"\0").decode())
PYEOF
)"
check "kill -9: @releaseDomain ACL back" "n0 r7" "$($PY - <<'PYEOF'
import sys; sys.path.insert(0, "tests/component")
from xenstore_raw import Sock, args
print(Sock().call("GET_PERMS", args("@releaseDomain")).rstrip(b"\0").replace(b"\0", b" ").decode())
PYEOF
)"
# many writes then a crash: the journal replays all of them
for i in $(seq 200); do echo "/bulk/n$i $i"; done | xargs -n 200 xenstore-write 2>/dev/null || \
	for i in $(seq 200); do xenstore-write /bulk/n$i $i; done
kill -9 "$XS_PID"; wait "$XS_PID" 2>/dev/null; XS_PID=
# a torn record after the journal's last record is ignored
$PY - "$XS_TMP/state/journal" <<'PYEOF'
import sys
path = sys.argv[1]
import struct
data = open(path, "rb").read()
end = 56                          # header: magic, version, seq, boot id
while True:
    crc, ln = struct.unpack_from("<II", data, end)
    if crc == 0 and ln == 0:
        break
    end += 8 + ln
with open(path, "r+b") as f:
    f.seek(end)
    f.write(b"\x12\x34\x56\x78\x40\x00\x00\x00P\x05")  # header + 2 of 64 bytes
PYEOF
xs_start
check "journal replay after crash" "200" "$(xenstore-list /bulk | wc -l)"
check "torn tail ignored" "two words" "$(xenstore-read /keep/b)"
xs_stop
xs_start --no-recovery
check "--no-recovery starts fresh" "1" "$(xenstore-exists /keep 2>/dev/null; echo $?)"
xs_stop
xs_start
check "restart after --no-recovery keeps the fresh tree" "1" "$(xenstore-exists /keep 2>/dev/null; echo $?)"
(cd "$(dirname "$0")" && timeout 30 $PY xenstore_restart_test.py "$XS_PID") || XS_FAILS=$((XS_FAILS + 1))
(cd "$(dirname "$0")" && timeout 30 $PY xenstore_crash_test.py "$XS_PID" "$XS_TMP/newpid") || XS_FAILS=$((XS_FAILS + 1))
[ -s "$XS_TMP/newpid" ] && XS_PID=$(cat "$XS_TMP/newpid")
check "ring reattached from the fd keeper" "1" "$(grep -c 'd6: ring reattached' "$XS_TMP/log")"
check "two live updates happened (SIGUSR1, CONTROL)" "2" "$(grep -c 'live update: restored' "$XS_TMP/log")"
xs_done
