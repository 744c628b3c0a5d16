"""tests/component/xenstore_restart_test.py: live update keeps socket
connections, their watches and a domain's ring. Run between the
shell's SIGUSR1 steps: phase "before" sets up, phase "after" checks."""
import os
import pickle
import signal
import sys
import time

from xenstore_raw import Guest, Sock, args, check, finish



pid = int(sys.argv[1])
s = Sock()
s.call("WATCH", args("/lu", "tok"))
check("initial event", args("/lu", "tok"), s.event())
s.call("WRITE", args("/lu/a") + b"1")
check("event before update", args("/lu/a", "tok"), s.event())
s.call("MKDIR", args("/local/domain/4"))
s.call("SET_PERMS", args("/local/domain/4", "n4"))
g = Guest(4)
g.introduce(s)
g.call("WRITE", args("mine") + b"guest")
g.call("WATCH", args("mine", "gt"))
check("guest initial event", args("mine", "gt"), g.event())
tx = s.call("TRANSACTION_START")

os.kill(pid, signal.SIGUSR1)
time.sleep(0.5)
check("same pid after live update", True, os.path.exists("/proc/%d" % pid))
check("connection survives: read", b"1", s.call("READ", args("/lu/a")))
s.call("WRITE", args("/lu/b") + b"2")
check("watch survives", args("/lu/b", "tok"), s.event())
check("open transaction dropped", "ENOENT",
      s.err("TRANSACTION_END", args("T"), tx=int(tx.rstrip(b"\0"))))
check("ring survives: guest read", b"guest", g.call("READ", args("mine")))
s.call("WRITE", args("/local/domain/4/mine") + b"x")
check("ring watch survives", args("mine", "gt"), g.event())
check("domain still introduced", b"T\0", s.call("IS_DOMAIN_INTRODUCED", args("4")))
check("guest perms kept", b"n4\0", s.call("GET_PERMS", args("/local/domain/4/mine")))
# the same through XS_CONTROL, as xenstore-control live-update sends it
check("CONTROL live-update -s", b"OK\0", s.call("CONTROL", args("live-update", "-s")))
time.sleep(0.5)
check("after CONTROL live update: watch", b"OK\0", s.call("WRITE", args("/lu/c") + b"3"))
check("watch event after second update", args("/lu/c", "tok"), s.event())
check("ring after second update", b"x", g.call("READ", args("mine")))
finish()
