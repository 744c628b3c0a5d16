#!/usr/bin/env bash
# xm and xend's socket: without xend every xend command says so and names
# the socket (exit 1); a bad config is refused before xend is asked; and
# against a fake xend (a Python socket server) the request is the
# documented JSON line and the reply's output, error and status come out.
set -u
XM=${XM:-build/bin/xm}
PY=/usr/bin/python3
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
tmp=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
export KXEN_HOST_MEMORY_MB=4096 XEN_CONFIG_DIR=/nonexistent

# 1. Nothing listens: every xend command names the socket.
sock=$tmp/none.sock
for c in list "shutdown web" "destroy web" "console web" "info" "domid web" \
	"block-list web" "network-list web"; do
	# shellcheck disable=SC2086
	out=$(XEND_SOCKET=$sock "$XM" $c 2>&1); rc=$?
	want="xm: xend is not running (cannot connect to $sock: No such file or directory)"
	[ $rc = 1 ] || fail "xm $c: exit $rc, expected 1"
	[ "$out" = "$want" ] || fail "xm $c: '$out'"
done
# Missing operands are usage errors, found before xend is asked.
for c in destroy "rename web" "sysrq web" "block-attach web phy:/dev/a"; do
	# shellcheck disable=SC2086
	out=$(XEND_SOCKET=$sock "$XM" $c 2>&1); rc=$?
	[ $rc = 2 ] || fail "xm $c: exit $rc, expected 2"
	grep -q "needs .*argument" <<<"$out" && ! grep -q xend <<<"$out" ||
		fail "xm $c: '$out'"
done
# The default socket is /run/xend/socket.
if [ ! -S /run/xend/socket ]; then
	out=$(env -u XEND_SOCKET "$XM" list 2>&1)
	grep -q "cannot connect to /run/xend/socket" <<<"$out" ||
		fail "default socket not named: $out"
fi
# A stale socket file (nobody listening): ECONNREFUSED.
$PY -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" "$tmp/stale.sock"
out=$(XEND_SOCKET=$tmp/stale.sock "$XM" list 2>&1)
grep -q "xend is not running (cannot connect to $tmp/stale.sock: Connection refused)" <<<"$out" ||
	fail "stale socket: $out"

# 2. create without -n validates first, then needs xend.
cfg=tests/golden/book-debian.cfg
out=$(XEND_SOCKET=$sock "$XM" create -q "$cfg" 2>&1); rc=$?
[ $rc = 1 ] && grep -q "xend is not running" <<<"$out" || fail "create w/o xend: $rc $out"
out=$(XEND_SOCKET=$sock "$XM" create -q tests/golden/err-dup-mac.cfg 2>&1); rc=$?
[ $rc = 1 ] && ! grep -q xend <<<"$out" && grep -q "used twice" <<<"$out" ||
	fail "bad config reached xend: $out"
# Config search path: /etc/xen (here $XEN_CONFIG_DIR) after the name as given.
out=$(XEN_CONFIG_DIR=tests/golden "$XM" create -n book-debian.cfg 2>&1); rc=$?
[ $rc = 0 ] && grep -q '(name debian)' <<<"$out" || fail "search path: $rc $out"
out=$("$XM" create -n nosuch.cfg 2>&1); rc=$?
[ $rc = 1 ] && grep -q "config file 'nosuch.cfg' not found" <<<"$out" ||
	fail "missing config: $rc $out"

# 3. A fake xend: records the request, answers with a canned reply.
cat >"$tmp/fake.py" <<'PYEOF'
import json, os, socket, sys
path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX)
s.bind(path); s.listen(8)
replies = {
    "list": {"version": 1, "status": 0,
             "output": "Name                                        ID   Mem VCPUs      State   Time(s)\nDomain-0                                     0   512     2     r-----      1.0\n"},
    "destroy": {"version": 1, "status": 1, "error": "domain 'nosuch' does not exist"},
    "create": {"version": 1, "status": 0, "output": "Started domain debian\n"},
}
while True:
    c, _ = s.accept()
    data = b""
    while not data.endswith(b"\n"):
        chunk = c.recv(65536)
        if not chunk:
            break
        data += chunk
    req = json.loads(data)
    with open(log, "a") as f:
        f.write(json.dumps(req, sort_keys=True) + "\n")
    c.sendall((json.dumps(replies.get(req["command"], {"version": 1, "status": 1, "error": "unknown"})) + "\n").encode())
    c.close()
PYEOF
$PY "$tmp/fake.py" "$tmp/xend.sock" "$tmp/req.log" &
server=$!
for _ in $(seq 50); do [ -S "$tmp/xend.sock" ] && break; sleep 0.1; done
export XEND_SOCKET=$tmp/xend.sock
out=$("$XM" list 2>&1); rc=$?
[ $rc = 0 ] && grep -q "^Domain-0 " <<<"$out" || fail "list via fake xend: $rc $out"
out=$("$XM" destroy nosuch 2>&1); rc=$?
[ $rc = 1 ] && [ "$out" = "xm: domain 'nosuch' does not exist" ] || fail "destroy: $rc $out"
out=$("$XM" create -q "$cfg" memory=64 2>&1); rc=$?
[ $rc = 0 ] && [ "$out" = "Started domain debian" ] || fail "create: $rc $out"
# JSON carries only UTF-8: an argument that is not is refused before
# anything is sent.
out=$("$XM" destroy $'caf\xe9' 2>&1); rc=$?
[ $rc = 1 ] && [ "$out" = "xm: destroy: an argument is not UTF-8" ] || fail "non-UTF-8 argument: $rc $out"
$PY - "$tmp/req.log" <<'PYEOF' || fail "requests not as documented (see $tmp/req.log)"
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
assert reqs[0] == {"version": 1, "command": "list", "args": []}, reqs[0]
assert reqs[1] == {"version": 1, "command": "destroy", "args": ["nosuch"]}, reqs[1]
c = reqs[2]
assert c["command"] == "create" and c["args"] == [], c
assert c["config_file"] == "tests/golden/book-debian.cfg", c
assert c["config"]["c_info"]["name"] == "debian", c
assert c["config"]["b_info"]["target_memkb"] == 64 * 1024, c
assert [d["vdev"] for d in c["config"]["disks"]] == ["hda1", "hda2"], c
PYEOF

if [ $fails = 0 ]; then echo "xm-xend: ok"; else exit 1; fi
