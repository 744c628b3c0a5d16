"""tests/component/xenstore_pyxs_test.py: xenstored driven by python3-pyxs
(transactions with conflicts, monitors), plus raw-socket bad input."""
import os
import resource
import socket
import struct
import time

from pyxs import Client
from xenstore_raw import Sock, XsError, args, HDR, TYPES, check, finish



path = os.environ["XENSTORED_PATH"]
c1 = Client(unix_socket_path=path)
c2 = Client(unix_socket_path=path)
c1.connect()
c2.connect()

c1[b"/tx/state"] = b"1"
check("pyxs read", b"1", c1[b"/tx/state"])
check("pyxs list", [b"state"], c1.list(b"/tx"))
c1.set_perms(b"/tx/state", [b"n0", b"r3"])
check("pyxs perms", [b"n0", b"r3"], c1.get_perms(b"/tx/state"))
check("pyxs get_domain_path", b"/local/domain/3", c1.get_domain_path(3))
check("pyxs exists", False, c1.exists(b"/tx/none"))

# transactions: isolation, own reads, conflict -> EAGAIN, retry succeeds
c1.transaction()
check("tx reads", b"1", c1[b"/tx/state"])
c1[b"/tx/state"] = b"2"
check("tx sees own write", b"2", c1[b"/tx/state"])
check("outside does not", b"1", c2[b"/tx/state"])
c2[b"/tx/state"] = b"3"
# pyxs turns EAGAIN into False
check("conflicting commit fails with EAGAIN", False, c1.commit())
check("winner's value kept", b"3", c2[b"/tx/state"])
c1.transaction()
c1[b"/tx/state"] = b"4"
check("retry commits", True, c1.commit())
check("retried value", b"4", c2[b"/tx/state"])
c1.transaction()
c1[b"/tx/other"] = b"x"
c1.rollback()
check("abort discards", False, c2.exists(b"/tx/other"))

# monitor: initial event, subtree, RM
with c2.monitor() as m:
    m.watch(b"/mon", b"tk")
    ev = m.wait()
    check("initial event", (b"/mon", b"tk"), tuple(next(ev)))
    c1[b"/mon/a/b"] = b"1"
    check("subtree event", (b"/mon/a/b", b"tk"), tuple(next(ev)))
    c1.delete(b"/mon")
    check("rm event", (b"/mon", b"tk"), tuple(next(ev)))
    m.unwatch(b"/mon", b"tk")

# ---- raw socket: bad input ----
s = Sock()
check("unknown tx id", "ENOENT", s.err("READ", args("/tx/state"), tx=12345))
check("missing NUL", "EINVAL", s.err("READ", b"/tx/state"))
check("two strings to READ", "EINVAL", s.err("READ", args("/a", "/b")))
check("'..' path", "EINVAL", s.err("WRITE", args("/a/../b") + b"v"))
check("'//' path", "EINVAL", s.err("WRITE", args("/a//b") + b"v"))
check("trailing /", "EINVAL", s.err("WRITE", args("/a/") + b"v"))
check("/local/domain/ prefix alone", "EINVAL", s.err("WRITE", args("/local/domain/") + b"v"))
check("absolute path over 3072", "EINVAL", s.err("WRITE", args("/" + "a" * 3072) + b"v"))
check("absolute path at 3072", "OK", s.err("WRITE", args("/" + "a" * 3071) + b"v"))
check("WATCH with depth arg", "EINVAL", s.err("WATCH", args("/a", "t", "1")))
check("empty payload", "EINVAL", s.err("READ", b""))
check("type 99", "ENOSYS", s.err(99, b"\0"))
check("DIRECTORY_PART past end", b"", s.call("DIRECTORY_PART", args("/tx", "9999")).split(b"\0", 1)[1][:-1])
check("SET_PERMS with no perms", "EINVAL", s.err("SET_PERMS", args("/tx")))
check("SET_PERMS bad perm", "EINVAL", s.err("SET_PERMS", args("/tx", "x0")))
check("RELEASE dom0", "EINVAL", s.err("RELEASE", args("0")))
check("RELEASE unknown", "ENOENT", s.err("RELEASE", args("77")))
check("token too long for events: WATCH fine", "OK",
      s.err("WATCH", args("/" + "p" * 3000, "t" * 1090)))
check("daemon alive after", "OK", s.err("WRITE", args("/" + "p" * 3000 + "/abcdefg") + b"v"))

# len 4097 drops the connection
bad = Sock()
bad.send_raw(HDR.pack(TYPES["READ"], 1, 0, 4097) + b"x" * 4097)
try:
    bad.recv()
    got = "reply"
except (ConnectionError, socket.timeout, OSError):
    got = "dropped"
check("len 4097 drops the connection", "dropped", got)

# a lying length: header says 100, 10 bytes sent, then close. The daemon
# must keep serving.
liar = Sock()
liar.send_raw(HDR.pack(TYPES["WRITE"], 1, 0, 100) + args("/lie") + b"abcde")
liar.s.close()
check("after a lying client", b"4", s.call("READ", args("/tx/state")))

# A client that never reads: flood it with events; others keep working and
# the daemon's memory stays bounded (it drops the deaf client).
deaf = Sock()
deaf.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
deaf.call("WATCH", args("/flood", "t" * 1000))
pid = int(open(os.environ["XS_PIDFILE"]).read()) if "XS_PIDFILE" in os.environ else None


def rss(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


before = rss(pid) if pid else 0
val = b"v" * 2000
t0 = time.time()
for i in range(8000):
    s.call("WRITE", args("/flood/n%d" % i) + val)
elapsed = time.time() - t0
after = rss(pid) if pid else 0
check("others served while a client does not read", b"4", s.call("READ", args("/tx/state")))
limit = 32 * 1024 if "XS_SAN" not in os.environ else 512 * 1024
check("memory bounded with a deaf client", True, after - before < limit)
log = open(os.environ["XS_LOG"]).read() if "XS_LOG" in os.environ else ""
check("deaf client dropped", True, "not reading its events" in log)
print("     (8000 writes with a deaf watcher: %.2fs, RSS %d -> %d KiB)" % (elapsed, before, after))

# A client that keeps sending but never reads: the daemon stops reading it
# once its replies back up, serves others, and does not spin.
def cpu_ticks(pid):
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])


if pid:
    s.call("WRITE", args("/bigval") + b"b" * 4000)
    spam = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    spam.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    spam.connect(path)
    spam.setblocking(False)
    req = HDR.pack(TYPES["READ"], 1, 0, len(args("/bigval"))) + args("/bigval")
    sent = 0
    try:
        for _ in range(200000):
            spam.send(req)
            sent += 1
    except BlockingIOError:
        pass
    time.sleep(0.2)
    t0 = cpu_ticks(pid)
    time.sleep(1.0)
    busy = cpu_ticks(pid) - t0
    check("others served beside a client that sends but never reads", b"4",
          s.call("READ", args("/tx/state")))
    check("daemon idle while that client is stalled (< 20 ticks/s)", True, busy < 20)
    print("     (%d requests queued by the stalled client, %d ticks in 1 s)" % (sent, busy))
    spam.close()

# thousands of transactions and watches from dom0 are allowed (no quota)
for i in range(2000):
    s.call("TRANSACTION_START")
check("2000 open transactions for dom0", "OK", s.err("RESET_WATCHES"))

finish()
