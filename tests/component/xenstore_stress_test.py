"""tests/component/xenstore_stress_test.py: a randomized run checked
against a model of the tree, plus concurrent read-modify-write
transactions that must not lose an update. Seeded: pass a seed to replay."""
import random
import sys
import threading
import time

from xenstore_raw import Guest, Sock, XsError, args

seed = int(sys.argv[1]) if len(sys.argv) > 1 else int(time.time())
secs = float(sys.argv[2]) if len(sys.argv) > 2 else 6.0
rng = random.Random(seed)
print("seed", seed)
fails = []


class Model:
    """Paths -> values in creation order (DIRECTORY's order)."""

    def __init__(self):
        self.nodes = {"/s": b""}

    def parent(self, p):
        return p.rsplit("/", 1)[0] or "/"

    def ensure(self, p):
        if p not in self.nodes:
            self.ensure(self.parent(p))
            self.nodes[p] = b""

    def write(self, p, v):
        self.ensure(p)
        self.nodes[p] = v

    def rm(self, p):
        if p not in self.nodes:
            return "OK" if self.parent(p) in self.nodes else "ENOENT"
        for k in [k for k in self.nodes if k == p or k.startswith(p + "/")]:
            del self.nodes[k]
        return "OK"

    def children(self, p):
        return [k.rsplit("/", 1)[1] for k in self.nodes if self.parent(k) == p]


def rand_path():
    return "/s" + "".join("/" + rng.choice("abc") for _ in range(rng.randint(1, 3)))


def run_ops(s, m, n, tx=0):
    for _ in range(n):
        op = rng.choice(("write", "write", "read", "rm", "mkdir", "dir"))
        p = rand_path()
        if op == "write":
            v = bytes(rng.randrange(256) for _ in range(rng.randint(0, 20)))
            s.call("WRITE", args(p) + v, tx=tx)
            m.write(p, v)
        elif op == "mkdir":
            s.call("MKDIR", args(p), tx=tx)
            m.ensure(p)
        elif op == "rm":
            want = m.rm(p)
            got = s.err("RM", args(p), tx=tx)
            if got != want:
                fails.append("rm %s: %s != %s" % (p, got, want))
        elif op == "read":
            want = m.nodes.get(p, "ENOENT")
            try:
                got = s.call("READ", args(p), tx=tx)
            except XsError as e:
                got = str(e)
            if got != want:
                fails.append("read %s: %r != %r" % (p, got, want))
        else:
            want = m.children(p) if p in m.nodes else "ENOENT"
            try:
                got = [x.decode() for x in s.call("DIRECTORY", args(p), tx=tx).split(b"\0")[:-1]]
            except XsError as e:
                got = str(e)
            if got != want:
                fails.append("dir %s: %r != %r" % (p, got, want))


def model_client(deadline):
    s = Sock()
    s.call("RM", args("/s"))
    s.call("MKDIR", args("/s"))
    m = Model()
    rounds = 0
    while time.time() < deadline and not fails:
        if rng.random() < 0.3:
            tx = int(s.call("TRANSACTION_START").rstrip(b"\0"))
            shadow = Model()
            shadow.nodes = dict(m.nodes)
            run_ops(s, shadow, rng.randint(1, 10), tx)
            if rng.random() < 0.7:
                s.call("TRANSACTION_END", args("T"), tx=tx)
                m = shadow
            else:
                s.call("TRANSACTION_END", args("F"), tx=tx)
        else:
            run_ops(s, m, 20)
        rounds += 1
    print("model client: %d rounds" % rounds)


def counter(n, results, i):
    s = Sock()
    retries = 0
    for _ in range(n):
        while True:
            tx = int(s.call("TRANSACTION_START").rstrip(b"\0"))
            try:
                v = int(s.call("READ", args("/cnt"), tx=tx))
            except XsError:
                v = 0
            s.call("WRITE", args("/cnt") + str(v + 1).encode(), tx=tx)
            if s.err("TRANSACTION_END", args("T"), tx=tx) == "OK":
                break
            retries += 1
    results[i] = retries


def churn(deadline):
    """Watches, domains and rings coming and going."""
    d0 = Sock()
    k = 0
    while time.time() < deadline:
        k += 1
        g = Guest(100 + k % 5)
        d0.call("MKDIR", args("/local/domain/%d" % g.domid))
        d0.call("SET_PERMS", args("/local/domain/%d" % g.domid, "n%d" % g.domid))
        g.introduce(d0)
        g.call("WATCH", args("x", "t"))
        for j in range(rng.randint(0, 20)):
            g.call("WRITE", args("x/%d" % j) + b"v")
        d0.call("RELEASE", args(str(g.domid)))
        g.close()
        w = Sock()
        w.call("WATCH", args("/s", "tok"))
        w.s.close()


def guarded(fn):
    def run(*a):
        try:
            fn(*a)
        except Exception as e:  # a thread's failure fails the test
            import traceback
            traceback.print_exc()
            fails.append("%s: %r" % (fn.__name__, e))
    return run


deadline = time.time() + secs
threads = [threading.Thread(target=guarded(model_client), args=(deadline,)),
           threading.Thread(target=guarded(churn), args=(deadline,))]
results = [0] * 4
threads += [threading.Thread(target=guarded(counter), args=(150, results, i))
            for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
total = int(Sock().call("READ", args("/cnt")))
print("counter: %d (%d retries on EAGAIN)" % (total, sum(results)))
if total != 600:
    fails.append("lost updates: counter %d != 600" % total)
for f in fails[:10]:
    print("FAIL", f)
print("all checks passed" if not fails else "%d failure(s), seed %d" % (len(fails), seed))
sys.exit(1 if fails else 0)
