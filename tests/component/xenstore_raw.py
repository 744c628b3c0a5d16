"""tests/component/xenstore_raw.py: raw XenStore wire protocol for tests.

Sock speaks the protocol on xenstored's Unix socket byte by byte (so tests
can send malformed messages); Guest plays a domain's xenbus on a shared
ring page in a memfd, introduced with SCM_RIGHTS as kxen's monitor does.
Run with /usr/bin/python3."""
import mmap
import os
import select
import socket
import struct
import sys

TYPES = dict(CONTROL=0, DIRECTORY=1, READ=2, GET_PERMS=3, WATCH=4, UNWATCH=5,
             TRANSACTION_START=6, TRANSACTION_END=7, INTRODUCE=8, RELEASE=9,
             GET_DOMAIN_PATH=10, WRITE=11, MKDIR=12, RM=13, SET_PERMS=14,
             WATCH_EVENT=15, ERROR=16, IS_DOMAIN_INTRODUCED=17, RESUME=18,
             SET_TARGET=19, RESET_WATCHES=21, DIRECTORY_PART=22)
HDR = struct.Struct("<IIII")


_fails = 0


def check(name, expected, actual):
    """One named check: prints ok or FAIL with both values."""
    global _fails
    if expected == actual:
        print("ok  ", name)
    else:
        _fails += 1
        print("FAIL", name, "\n  expected:", repr(expected), "\n  actual:  ", repr(actual))


def finish():
    """Say how the checks went and exit 1 if any failed."""
    print("all checks passed" if not _fails else "%d check(s) failed" % _fails)
    sys.exit(1 if _fails else 0)


def args(*strs):
    """NUL-terminated strings, as most requests carry them."""
    return b"".join((s.encode() if isinstance(s, str) else s) + b"\0"
                    for s in strs)


class XsError(Exception):
    pass


class Client:
    """What the socket and the ring client share: each has recv() and
    call(op, payload, tx) and keeps watch events in self.events."""

    def reply(self, rid):
        """The payload of reply rid; XsError("ENOENT") for an error reply.
        Watch events met on the way are kept in self.events."""
        while True:
            t, r, _, p = self.recv()
            if t == TYPES["WATCH_EVENT"]:
                self.events.append(p)
                continue
            assert r == rid, (r, rid)
            if t == TYPES["ERROR"]:
                raise XsError(p.rstrip(b"\0").decode())
            return p

    def err(self, op, payload=b"\0", tx=0):
        try:
            self.call(op, payload, tx)
        except XsError as e:
            return str(e)
        return "OK"

    def event(self):
        if self.events:
            return self.events.pop(0)
        t, _, _, p = self.recv()
        assert t == TYPES["WATCH_EVENT"], t
        return p


class Sock(Client):
    def __init__(self, path=None, timeout=5.0):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path or os.environ["XENSTORED_PATH"])
        self.buf = b""
        self.events = []
        self.req = 0

    def send_raw(self, data, fds=None):
        if fds:
            self.s.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                     struct.pack("%di" % len(fds), *fds))])
        else:
            self.s.sendall(data)

    def send(self, op, payload, tx=0, req=None, fds=None):
        self.req += 1
        rid = self.req if req is None else req
        t = TYPES[op] if isinstance(op, str) else op
        self.send_raw(HDR.pack(t, rid, tx, len(payload)) + payload, fds)
        return rid

    def recv(self):
        while True:
            if len(self.buf) >= 16:
                t, rid, tx, ln = HDR.unpack(self.buf[:16])
                if len(self.buf) >= 16 + ln:
                    p = self.buf[16:16 + ln]
                    self.buf = self.buf[16 + ln:]
                    return t, rid, tx, p
            d = self.s.recv(65536)
            if not d:
                raise ConnectionError("closed")
            self.buf += d

    def call(self, op, payload=b"\0", tx=0, fds=None):
        """Reply payload; raises XsError("ENOENT") for error replies.
        Watch events met on the way are kept in self.events."""
        return self.reply(self.send(op, payload, tx, fds=fds))


OFF_REQ, OFF_RSP = 0, 1024
OFF_REQ_CONS, OFF_REQ_PROD, OFF_RSP_CONS, OFF_RSP_PROD = 2048, 2052, 2056, 2060
OFF_FEATURES, OFF_CONNECTION, OFF_ERROR = 2064, 2068, 2072


class Guest(Client):
    """A domain's side of the store ring. The page is gfn 3 of a memfd."""

    def __init__(self, domid, gfn=3):
        self.domid = domid
        self.gfn = gfn
        self.mfd = os.memfd_create("guest-ram-%d" % domid)
        os.ftruncate(self.mfd, (gfn + 1) * 4096)
        self.page = mmap.mmap(self.mfd, 4096, offset=gfn * 4096)
        self.words = memoryview(self.page).cast("I")
        self.kick = os.eventfd(0, os.EFD_NONBLOCK)     # guest -> xenstored
        self.notify = os.eventfd(0, os.EFD_NONBLOCK)   # xenstored -> guest
        self.buf = b""
        self.events = []
        self.req = 0
        self.linux_notify = True

    def introduce(self, sock, port=7):
        sock.call("INTRODUCE", args(str(self.domid), str(self.gfn), str(port)),
                  fds=[self.mfd, self.kick, self.notify])

    def idx(self, off, val=None):
        # One aligned 32-bit load or store, as a guest does: struct's
        # little-endian packer stores byte by byte, and xenstored may see
        # a half-written index (and rightly call it bogus).
        if val is None:
            return self.words[off // 4]
        self.words[off // 4] = val & 0xffffffff

    def write_ring(self, data):
        while data:
            cons, prod = self.idx(OFF_REQ_CONS), self.idx(OFF_REQ_PROD)
            space = 1024 - (prod - cons)
            if space == 0:
                self.wait()
                continue
            n = min(space, len(data), 1024 - (prod & 1023))
            o = OFF_REQ + (prod & 1023)
            self.page[o:o + n] = data[:n]
            self.idx(OFF_REQ_PROD, prod + n)
            data = data[n:]
            # Linux (xb_write) notifies only if the server had drained
            # the ring before this write; xenstored must keep looping.
            if prod - self.idx(OFF_REQ_CONS) <= 0 or not self.linux_notify:
                os.eventfd_write(self.kick, 1)

    def wait(self, timeout=2.0):
        r, _, _ = select.select([self.notify], [], [], timeout)
        if not r:
            raise TimeoutError("no notification from xenstored (d%d: req %d/%d rsp %d/%d error %d)" % (
                self.domid, self.idx(OFF_REQ_CONS), self.idx(OFF_REQ_PROD),
                self.idx(OFF_RSP_CONS), self.idx(OFF_RSP_PROD), self.idx(OFF_ERROR)))
        try:
            os.eventfd_read(self.notify)
        except BlockingIOError:
            pass

    def read_ring(self):
        cons, prod = self.idx(OFF_RSP_CONS), self.idx(OFF_RSP_PROD)
        was_full = prod - cons >= 1024
        if cons == prod:
            return
        while cons != prod:
            n = min(prod - cons, 1024 - (cons & 1023))
            o = OFF_RSP + (cons & 1023)
            self.buf += self.page[o:o + n]
            cons += n
        self.idx(OFF_RSP_CONS, cons)
        # Linux (xb_read) notifies only when it frees a full ring.
        if was_full or not self.linux_notify:
            os.eventfd_write(self.kick, 1)

    def recv(self, timeout=2.0):
        while True:
            if len(self.buf) >= 16:
                t, rid, tx, ln = HDR.unpack(self.buf[:16])
                if len(self.buf) >= 16 + ln:
                    p = self.buf[16:16 + ln]
                    self.buf = self.buf[16 + ln:]
                    return t, rid, tx, p
            self.read_ring()
            if len(self.buf) >= 16 and len(self.buf) >= 16 + HDR.unpack(self.buf[:16])[3]:
                continue
            self.wait(timeout)

    def call(self, op, payload=b"\0", tx=0):
        self.req += 1
        self.write_ring(HDR.pack(TYPES[op], self.req, tx, len(payload)) + payload)
        return self.reply(self.req)

    def close(self):
        self.words.release()
        self.page.close()
        for fd in (self.mfd, self.kick, self.notify):
            os.close(fd)
