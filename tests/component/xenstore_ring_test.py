"""tests/component/xenstore_ring_test.py: a fake domain on a memfd ring.

The test introduces domains with their store page and eventfds passed by
SCM_RIGHTS, then speaks xenbus over the ring as a guest would."""
import struct
import time

from xenstore_raw import (Guest, Sock, XsError, args, HDR, TYPES,
                          OFF_CONNECTION, OFF_ERROR, OFF_REQ_CONS,
                          OFF_REQ_PROD, check, finish)



def wait_until(cond, timeout=2.0):
    """Poll: a pending notification may predate the event we wait for."""
    end = time.time() + timeout
    while not cond() and time.time() < end:
        time.sleep(0.01)


dom0 = Sock()
dom0.call("WATCH", args("@introduceDomain", "intro"))
check("initial @introduceDomain event", args("@introduceDomain", "intro"), dom0.event())

# The toolstack's part (libxl__domain_make, simplified) before introducing.
for path, perms in (("/local/domain/5", ("n0", "r5")),
                    ("/local/domain/5/device", ("n0", "r5")),
                    ("/local/domain/5/data", ("n5",)),
                    ("/local/domain/0/backend/vbd/5/51712/state", ("n0", "r5"))):
    dom0.call("WRITE", args(path) + b"")
    dom0.call("SET_PERMS", args(path, *perms))
dom0.call("WRITE", args("/local/domain/0/backend/vbd/5/51712/state") + b"1")
dom0.call("WRITE", args("/local/domain/0/secret") + b"s")

g = Guest(5)
g.page[OFF_CONNECTION:OFF_CONNECTION + 4] = b"\x01\x00\x00\x00"
g.introduce(dom0)
check("@introduceDomain fired", args("@introduceDomain", "intro"), dom0.event())
check("IS_DOMAIN_INTRODUCED", b"T\0", dom0.call("IS_DOMAIN_INTRODUCED", args("5")))
check("connection=0 after introduce", 0, g.idx(OFF_CONNECTION))

check("guest WRITE relative", b"OK\0", g.call("WRITE", args("data/x") + b"hello"))
check("guest READ relative", b"hello", g.call("READ", args("data/x")))
check("dom0 sees it", b"hello", dom0.call("READ", args("/local/domain/5/data/x")))
check("guest-created node owned by guest", b"n5\0",
      dom0.call("GET_PERMS", args("/local/domain/5/data/x")))
check("guest READ of readable backend node under n0 parents", b"1",
      g.call("READ", args("/local/domain/0/backend/vbd/5/51712/state")))
check("guest READ of dom0 secret", "EACCES", g.err("READ", args("/local/domain/0/secret")))
check("guest READ hidden absent node", "EACCES", g.err("READ", args("/local/domain/0/nothing")))
check("guest READ readable absent node", "ENOENT", g.err("READ", args("data/nothing")))
check("guest WRITE to read-only dir", "EACCES", g.err("WRITE", args("device/x") + b"1"))
check("guest cannot chown", "EPERM", g.err("SET_PERMS", args("data/x", "n0")))
check("guest SET_PERMS own node", b"OK\0", g.call("SET_PERMS", args("data/x", "n5", "r0")))
check("guest INTRODUCE refused", "EACCES", g.err("INTRODUCE", args("9", "1", "1")))
check("GET_DOMAIN_PATH", b"/local/domain/5\0", g.call("GET_DOMAIN_PATH", args("5")))
check("'..' refused", "EINVAL", g.err("READ", args("data/../x")))
deep = "data/" + ("a" * 99 + "/") * 20 + "a" * 43   # 2048 after the home
check("path at -M (2048 relative)", b"OK\0", g.call("WRITE", args(deep) + b"v"))
check("path over -M", "EINVAL", g.err("WRITE", args(deep + "b") + b"v"))
check("absolute form counts the same", "EINVAL",
      g.err("WRITE", args("/local/domain/5/" + deep + "b") + b"v"))
g.call("RM", args("data/" + "a" * 99))

# watches on the ring: relative paths back, initial event, subtree
check("guest WATCH", b"OK\0", g.call("WATCH", args("device", "tok")))
check("initial event relative", args("device", "tok"), g.event())
dom0.call("WRITE", args("/local/domain/5/device/vbd/51712/state") + b"1")
check("event for dom0 write, relative", args("device/vbd/51712/state", "tok"), g.event())
check("guest watch on @releaseDomain (n0) registers", b"OK\0",
      g.call("WATCH", args("@releaseDomain", "rel")))
check("initial special event", args("@releaseDomain", "rel"), g.event())

# @releaseDomain is n0: a domU sees its events only once its ACL allows
g.events.clear()
dom0.call("INTRODUCE", args("9", "1", "1"))
dom0.call("RELEASE", args("9"))
g.call("GET_DOMAIN_PATH", args("5"))   # events come before this reply
check("no @releaseDomain event for a domU under n0", [], g.events)
dom0.call("SET_PERMS", args("@releaseDomain", "n0", "r5"))
check("GET_PERMS @releaseDomain", b"n0\0r5\0", dom0.call("GET_PERMS", args("@releaseDomain")))
dom0.call("INTRODUCE", args("9", "1", "1"))
dom0.call("RELEASE", args("9"))
g.call("GET_DOMAIN_PATH", args("5"))
check("@releaseDomain event once readable", [args("@releaseDomain", "rel")], g.events)
g.events.clear()
dom0.call("SET_PERMS", args("@releaseDomain", "n0"))
dom0.events.clear()

# transactions from the guest
tx = int(g.call("TRANSACTION_START").rstrip(b"\0"))
check("tx id", True, tx >= 1)
g.call("WRITE", args("data/t") + b"1", tx=tx)
check("tx invisible outside", "ENOENT", dom0.err("READ", args("/local/domain/5/data/t")))
check("tx commit", b"OK\0", g.call("TRANSACTION_END", args("T"), tx=tx))
check("after commit", b"1", dom0.call("READ", args("/local/domain/5/data/t")))

# quotas for a domU
n = 0
err = None
while n < 1100:
    try:
        # spread over directories: one parent's child list would hit -S
        g.call("WRITE", args("data/q%d/n%d" % (n // 40, n % 40)) + b"")
    except XsError as e:
        err = str(e)
        break
    n += 1
check("node quota -E reached with ENOSPC", "ENOSPC", err)
check("node quota: about 1000 nodes owned", True, 900 <= n <= 1000)
check("oversize node ENOSPC", "ENOSPC", g.err("WRITE", args("data/big") + b"x" * 2040))

# many requests in flight, ring wraps
g.req += 1
burst = b""
for i in range(60):
    burst += HDR.pack(TYPES["READ"], 1000 + i, 0, len(args("data/x"))) + args("data/x")
g.write_ring(burst)
got = 0
while got < 60:
    t, rid, _, p = g.recv()
    if t == TYPES["WATCH_EVENT"]:
        continue
    got += 1
    if p != b"hello" or rid != 999 + got:
        break
check("60 pipelined requests answered in order", 60, got)

# RELEASE: watches, nodes owned by the domain, @releaseDomain
dom0.call("WATCH", args("@releaseDomain", "rel0"))
dom0.event()
check("RELEASE", b"OK\0", dom0.call("RELEASE", args("5")))
check("@releaseDomain fired", args("@releaseDomain", "rel0"), dom0.event())
check("guest-owned nodes removed", "ENOENT", dom0.err("READ", args("/local/domain/5/data")))
check("dom0-owned home kept", b"", dom0.call("READ", args("/local/domain/5")))
check("IS_DOMAIN_INTRODUCED after release", b"F\0", dom0.call("IS_DOMAIN_INTRODUCED", args("5")))
g.close()

# bogus indexes: error=RINGIDX, domain no longer served, daemon fine
b = Guest(6)
b.introduce(dom0)
check("second guest works", b"/local/domain/6\0", b.call("GET_DOMAIN_PATH", args("6")))
b.idx(OFF_REQ_PROD, b.idx(OFF_REQ_CONS) + 5000)
import os
os.eventfd_write(b.kick, 1)
wait_until(lambda: b.idx(OFF_ERROR) != 0)
check("bogus req_prod -> error=2 (RINGIDX)", 2, b.idx(OFF_ERROR))
check("daemon still serves dom0", b"/local/domain/6\0", dom0.call("GET_DOMAIN_PATH", args("6")))
dom0.call("RELEASE", args("6"))
b.close()

# payload > 4096 on a ring: error=3 (PROTO)
p = Guest(7)
p.introduce(dom0)
p.write_ring(HDR.pack(TYPES["READ"], 1, 0, 5000))
wait_until(lambda: p.idx(OFF_ERROR) != 0)
check("len 5000 -> error=3 (PROTO)", 3, p.idx(OFF_ERROR))
dom0.call("RELEASE", args("7"))
p.close()

# introduce without fds (xenstore-utils/libxl style) then attach the ring
dom0.call("INTRODUCE", args("8", "3", "9"))
check("fd-less introduce recorded", b"T\0", dom0.call("IS_DOMAIN_INTRODUCED", args("8")))
r = Guest(8)
r.introduce(dom0)
check("ring attached later", b"/local/domain/8\0", r.call("GET_DOMAIN_PATH", args("8")))
dom0.call("RELEASE", args("8"))
r.close()

finish()
