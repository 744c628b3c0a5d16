"""tests/component/xenstore_quota_test.py: xenstored started with
-E 20 -S 200 -W 3 -t 1 -A 2 -M 40 -Q transaction-nodes=8 -Q outstanding=2;
a fake domain hits each limit with Xen's error."""

from xenstore_raw import Guest, Sock, XsError, args, HDR, TYPES, check, finish



d0 = Sock()
d0.call("MKDIR", args("/local/domain/3"))
d0.call("SET_PERMS", args("/local/domain/3", "n3"))
g = Guest(3)
g.introduce(d0)

# -W 3: Xen's check is count > limit, so 4 fit
errs = [g.err("WATCH", args("w%d" % i, "t")) for i in range(5)]
check("-W 3: four watches, then E2BIG", ["OK"] * 4 + ["E2BIG"], errs)
g.call("RESET_WATCHES")
g.events.clear()

# -t 1: two transactions fit, the third is ENOSPC
errs = [g.err("TRANSACTION_START") for _ in range(3)]
check("-t 1: two transactions, then ENOSPC", ["OK", "OK", "ENOSPC"], errs)
g.call("RESET_WATCHES")   # drops the transactions too

# -Q transaction-nodes=8
tx = int(g.call("TRANSACTION_START").rstrip(b"\0"))
errs = [g.err("WRITE", args("t%d" % i) + b"", tx=tx) for i in range(9)]
check("-Q transaction-nodes=8: ENOSPC inside the transaction", "ENOSPC", errs[-1])
g.call("TRANSACTION_END", args("F"), tx=tx)

# -A 2
check("-A 2: two entries fit", "OK", g.err("SET_PERMS", args("/local/domain/3", "n3", "r0")))
check("-A 2: three are ENOSPC", "ENOSPC", g.err("SET_PERMS", args("/local/domain/3", "n3", "r0", "r1")))
check("dom0 is not limited", "OK", d0.err("SET_PERMS", args("/local/domain/3", "n3", "r0", "r1")))

# -M 40 (after /local/domain/3/)
check("-M 40: 40 fit", "OK", g.err("WRITE", args("a" * 40) + b""))
check("-M 40: 41 are EINVAL", "EINVAL", g.err("WRITE", args("a" * 41) + b""))
check("dom0 is not limited by -M", "OK", d0.err("WRITE", args("/local/domain/3/" + "b" * 41) + b""))

# -S 200: 24 + 8*perms + value + child names must stay below 200
check("-S 200: 150-byte value fits", "OK", g.err("WRITE", args("s") + b"v" * 150))
check("-S 200: 170-byte value is ENOSPC", "ENOSPC", g.err("WRITE", args("s") + b"v" * 170))

# -E 20: nodes owned by domain 3
errs = []
for i in range(25):
    errs.append(g.err("WRITE", args("e/%d" % i) + b""))
check("-E 20: ENOSPC once 20 nodes are owned", True, "ENOSPC" in errs)

# -Q outstanding=2: requests stay in the ring until replies are read
g.call("RM", args("e"))
burst = b"".join(HDR.pack(TYPES["GET_DOMAIN_PATH"], 100 + i, 0, 2) + b"3\0"
                 for i in range(10))
g.write_ring(burst)
got = 0
while got < 10:
    t, rid, _, p = g.recv()
    got += 1
check("-Q outstanding=2: all 10 pipelined requests answered", 10, got)

d0.call("RELEASE", args("3"))
g.close()
finish()
