"""tests/component/xenstore_crash_test.py: kill -9 xenstored while a
domain's ring is live; the restarted daemon gets the ring back from the fd
keeper and the guest goes on talking. Writes the new daemon's pid to
argv[2] for the shell to clean up."""
import os
import signal
import subprocess
import sys
import time

from xenstore_raw import Guest, Sock, args, check, finish



pid, pidfile = int(sys.argv[1]), sys.argv[2]
argv = open("/proc/%d/cmdline" % pid, "rb").read().split(b"\0")[:-1]
d0 = Sock()
d0.call("MKDIR", args("/local/domain/6"))
d0.call("SET_PERMS", args("/local/domain/6", "n6"))
g = Guest(6)
g.introduce(d0)
g.call("WRITE", args("before") + b"crash")
d0.s.close()

os.kill(pid, signal.SIGKILL)
time.sleep(0.2)
new = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
open(pidfile, "w").write(str(new.pid))
for _ in range(100):
    try:
        d0 = Sock()
        break
    except OSError:
        time.sleep(0.05)
check("guest ring served again after kill -9", b"crash", g.call("READ", args("before")))
check("guest writes after restart", b"OK\0", g.call("WRITE", args("after") + b"1"))
check("dom0 sees it", b"1", d0.call("READ", args("/local/domain/6/after")))
check("domain still introduced", b"T\0", d0.call("IS_DOMAIN_INTRODUCED", args("6")))
check("ring indexes were not reset", True, g.idx(2048) > 0)
d0.call("RELEASE", args("6"))
g.close()
finish()
