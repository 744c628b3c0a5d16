#!/usr/bin/python3
"""tests/component/fake-monitor.py: kxen-monitor's interface to xend,
without KVM, for xend's component tests.

Implements what xend uses (toolstack/README.md, "The monitor interface"):
  --name --domid --kernel --ramdisk --cmdline --memory --vcpus
  --xenstore SOCKET   introduce the domain to xenstored (no ring: the
                      record only, as libxl's introduce)
  --state-dir DIR     DIR/pid, DIR/ctl (newline JSON: info, pause,
                      unpause, destroy), DIR/console, DIR/exit on the way out
  --console-log FILE  console output appended there too
  --paused            vCPUs "stopped" until unpause
and plays a guest: while running it polls control/shutdown and
control/sysrq in XenStore like Linux's xenbus handler (acknowledges with
"" and exits poweroff 0, reboot 3, halt 5), and counts CPU time.

Test controls:
  ctl {"op":"fake-exit","reason":"crash"}  end now with that reason
  the kernel file's content, one word per line:
    FAIL             exit 1 at start ("cannot load kernel")
    IGNORE_SHUTDOWN  never act on control/shutdown
    CRASH_AFTER=S    crash S seconds after the first unpause
    REBOOT_AFTER=S   reboot S seconds after the first unpause
    NO_CTL           never create DIR/ctl (xend's start timeout)
    DEVICE_AFTER=S   the backends take each device S seconds after it
                     appears (a slow hotplug script)
    DETACH_AFTER=S   a detached device closes S seconds after online=0
                     (a frontend slow to let go; "never": it holds on)
"""
import argparse
import json
import os
import selectors
import signal
import socket
import sys
import time

from pyxs import Client

STATUS = {"poweroff": 0, "reboot": 3, "crash": 4, "halt": 5, "suspend": 6,
          "watchdog": 7, "soft_reset": 8, "destroyed": 9}

ap = argparse.ArgumentParser()
for o in ("--name", "--kernel", "--ramdisk", "--cmdline", "--xenstore",
          "--state-dir", "--console-log"):
    ap.add_argument(o)
ap.add_argument("--domid", type=int, default=1)
ap.add_argument("--memory", type=int, default=128)
ap.add_argument("--vcpus", type=int, default=1)
ap.add_argument("--paused", action="store_true")
a = ap.parse_args()

flags = {}
try:
    for line in open(a.kernel):
        k, _, v = line.strip().partition("=")
        flags[k] = v
except OSError as e:
    print("fake-monitor: cannot load kernel %s: %s" % (a.kernel, e))
    sys.exit(1)
if "FAIL" in flags:
    print("fake-monitor: cannot load kernel %s: not an ELF file" % a.kernel)
    sys.exit(1)

d = a.state_dir
xs = Client(unix_socket_path=a.xenstore)
xs.connect()
xs.introduce_domain(a.domid, 0xfeffc, 1)
with open(d + "/pid", "w") as f:
    f.write("%d\n" % os.getpid())

paused = True
cpu_ns = 0
run_since = None
first_unpause = None
console = None
history = b""
sel = selectors.DefaultSelector()


def listen(path):
    try:
        os.unlink(path)
    except OSError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(8)
    return s


def say(text):
    global history, console
    data = text.encode()
    history = (history + data)[-4096:]
    if a.console_log:
        with open(a.console_log, "ab") as f:
            f.write(data)
    if console:
        try:
            console.sendall(data)
        except OSError:
            sel.unregister(console)
            console = None


def finish(reason):
    with open(d + "/exit.tmp", "w") as f:
        f.write("%s %d\n" % (reason, STATUS[reason]))
    os.rename(d + "/exit.tmp", d + "/exit")
    for n in ("ctl", "console"):
        try:
            os.unlink(d + "/" + n)
        except OSError:
            pass
    os._exit(STATUS[reason])


def set_paused(p):
    global paused, cpu_ns, run_since, first_unpause
    if p and not paused:
        cpu_ns += time.monotonic_ns() - run_since
    if not p and paused:
        run_since = time.monotonic_ns()
        if first_unpause is None:
            first_unpause = time.monotonic()
            say("Linux version 6.1.0-fake (kxen fake monitor) %s\n" % a.name)
    paused = p


def info():
    t = cpu_ns + (time.monotonic_ns() - run_since if not paused else 0)
    return {"ok": True, "domid": a.domid, "name": a.name,
            "state": "paused" if paused else "running", "vcpus": a.vcpus,
            "memory_kib": a.memory * 1024, "cpu_time_ns": t,
            "store_gfn": 0xfeffc, "store_port": 1, "console_gfn": 0xfeffd,
            "console_port": 2, "pid": os.getpid()}


def ctl_request(conn, line):
    try:
        req = json.loads(line)
        op = req["op"]
    except (ValueError, KeyError, TypeError):
        return {"ok": False, "error": "bad request"}
    if op == "info":
        return info()
    if op in ("pause", "unpause"):
        set_paused(op == "pause")
        return {"ok": True}
    if op == "destroy":
        conn.sendall(b'{"ok":true}\n')
        finish("destroyed")
    if op == "fake-exit":
        conn.sendall(b'{"ok":true}\n')
        finish(req.get("reason", "crash"))
    return {"ok": False, "error": "unknown op " + op}


def on_ctl_conn(conn):
    buf = conn.fake_buf if hasattr(conn, "fake_buf") else b""
    data = conn.recv(4096)
    if not data:
        sel.unregister(conn)
        conn.close()
        return
    buf += data
    while b"\n" in buf:
        line, buf = buf.split(b"\n", 1)
        conn.sendall((json.dumps(ctl_request(conn, line)) + "\n").encode())
    conn.fake_buf = buf


class Conn(socket.socket):
    pass


def accept(ls, kind):
    global console
    c, _ = ls.accept()
    if kind == "console":
        if console:
            sel.unregister(console)
            console.close()
        console = c
        c.sendall(history)
        sel.register(c, selectors.EVENT_READ, "console-in")
    else:
        c = Conn(fileno=c.detach())
        sel.register(c, selectors.EVENT_READ, "ctl-conn")


def guest_tick():
    """What the guest kernel would do while it runs."""
    base = b"/local/domain/%d/control/" % a.domid
    try:
        cmd = xs.read(base + b"shutdown").decode()
    except Exception:
        cmd = ""
    if cmd in ("poweroff", "reboot", "halt") and "IGNORE_SHUTDOWN" not in flags:
        xs.write(base + b"shutdown", b"")
        say("reboot: %s\n" % ("Restarting system" if cmd == "reboot"
                              else "Power down"))
        finish(cmd)
    try:
        key = xs.read(base + b"sysrq").decode()
    except Exception:
        key = ""
    if key:
        xs.write(base + b"sysrq", b"")
        say("sysrq: %s\n" % key)
    since = time.monotonic() - (first_unpause or time.monotonic())
    for flag, reason in (("CRASH_AFTER", "crash"), ("REBOOT_AFTER", "reboot")):
        if flag in flags and first_unpause and since >= float(flags[flag]):
            finish(reason)


detach_seen = {}
device_seen = {}


def backend_tick():
    """What the monitor's backends would do (backends/xenbus_be.c): take
    each new device (InitWait), or refuse it with DEVICE_FAIL; close the
    ones the toolstack takes away (online=0)."""
    for kind in (b"vbd", b"vif"):
        root = b"/local/domain/0/backend/%s/%d" % (kind, a.domid)
        try:
            ids = xs.list(root)
        except Exception:
            continue
        for i in ids:
            be = root + b"/" + i
            try:
                state = xs.read(be + b"/state")
                online = xs.read(be + b"/online")
            except Exception:
                continue
            if online == b"0" and state != b"6":
                since = detach_seen.setdefault(be, time.monotonic())
                after = flags.get("DETACH_AFTER", "0")
                if after != "never" and time.monotonic() - since >= float(after):
                    xs.write(be + b"/state", b"6")
            elif state == b"1" and "DEVICE_FAIL" in flags:
                xs.write(be + b"/hotplug-error", flags["DEVICE_FAIL"].encode())
                xs.write(be + b"/state", b"6")
            elif state == b"1":
                since = device_seen.setdefault(be, time.monotonic())
                if time.monotonic() - since >= float(flags.get("DEVICE_AFTER", "0")):
                    xs.write(be + b"/state", b"2")


signal.signal(signal.SIGTERM, lambda *_: finish("destroyed"))
if "NO_CTL" not in flags:
    sel.register(listen(d + "/ctl"), selectors.EVENT_READ, "ctl")
sel.register(listen(d + "/console"), selectors.EVENT_READ, "console")
if not a.paused:
    set_paused(False)
while True:
    for key, _ in sel.select(timeout=0.1):
        if key.data in ("ctl", "console"):
            accept(key.fileobj, key.data)
        elif key.data == "ctl-conn":
            on_ctl_conn(key.fileobj)
        elif key.data == "console-in":
            got = key.fileobj.recv(4096)
            if not got:
                sel.unregister(key.fileobj)
                key.fileobj.close()
                console = None
            else:
                say(got.decode(errors="replace"))
    backend_tick()
    if not paused:
        guest_tick()
