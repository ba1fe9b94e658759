"""The warm parent of the grading kernels: forks one fresh kernel per submission, inside its sandbox.

Started by ``grading.sandbox.warm`` as ``python zygote.py <tmp_bytes>
<home_bytes> <reply_fd> <module>...`` as PID 1 of a bubblewrap sandbox built
like every kernel's (same binds, masks, limits and seccomp filter, no
network), with three capabilities *in that sandbox's own user namespace*
(``CAP_SYS_ADMIN``, ``CAP_SETPCAP``, ``CAP_NET_ADMIN``; bubblewrap's
``--disable-userns`` still forbids further user namespaces). It imports
ipykernel, IPython and the given modules (NumPy) once, makes a mount
namespace of its own and serves requests, one at a time, each a JSON line
on stdin::

    {"workdir": "ps1", "connection": {...}, "argv": ["-f", "/tmp/.kernel/kernel.json", ...]}

This process never reads a request (so nothing of one kernel is in the
memory the next one inherits). When one is waiting:

1. it checks that nothing it would pass on has changed since it started
   (resource limits, OOM score, autogroup and scheduling, CPU affinity, the
   flags and size of the output pipe it shares with its kernels, ...: a
   process of its UID could change some of them); if anything has, it exits,
   and the grader starts a new warm parent;
2. it ends every other process of the sandbox (``kill(-1, SIGKILL)`` from
   PID 1, repeated until none is left to reap): the kernel before, and
   anything that kernel started (it does so as soon as a kernel ends, too,
   so nothing of a kernel outlives it while the grader finishes that
   submission);
3. it mounts a new size-capped tmpfs on ``/tmp`` and on ``/home/student``
   (the ones before are detached): nothing an earlier kernel wrote is left;
4. it forks. The child reads the request off stdin, makes the working
   folder and its connection file, then new IPC and network namespaces (no
   System V object, socket or connection of an earlier kernel; its own
   loopback), drops every capability (effective, permitted, inheritable,
   ambient and bounding; securebits locked, so even UID 0 gains none at
   ``exec``) and sets ``no_new_privs``, so it can neither mount nor unmount;
   it closes every file descriptor but stdout and stderr and runs ipykernel
   as ``python -m ipykernel_launcher`` would.

No kernel can touch this process: it is PID 1 (a SIGKILL from inside never
reaches it, SIGINT is ignored, it handles nothing else), not dumpable and
holds capabilities the kernel lacks (no ``ptrace``, no ``/proc/1/mem``, no
scheduling changes), and the seccomp filter refuses ``prlimit`` on another
process. It answers ``{"pid": <the kernel's PID in the sandbox>}`` on
``reply_fd`` (or ``{"error": ...}``, and exits). It imports nothing of the
grading code (masked in the sandbox).
"""

import ctypes
import json
import os
import select
import signal
import sys
import time
import traceback

CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWNET = 0x00020000, 0x08000000, 0x40000000
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x1000, 0x4000, 1 << 18
MNT_DETACH = 2
PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_SECUREBITS = 4, 24, 28
PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 38, 47, 4
# SECBIT_NOROOT, _NO_SETUID_FIXUP, _KEEP_CAPS, _NO_CAP_AMBIENT_RAISE, each with its lock.
SECUREBITS_LOCKED = 0xFF
CAPABILITY_VERSION_3 = 0x20080522

HOME = "/home/student"
KERNEL_DIR = "/tmp/.kernel"

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]


def _check(result, what):
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def _mount(source, target, fstype, flags, data=None):
    _check(_libc.mount(source and source.encode(), target.encode(), fstype and fstype.encode(), flags,
                       data and data.encode()), f"mount {target}")


def _prctl(option, arg2=0, arg3=0):
    _check(_libc.prctl(option, arg2, arg3, 0, 0), f"prctl {option}")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_all_capabilities() -> None:
    """Leave this process no capability, now or after any ``exec``, and set ``no_new_privs``."""
    with open("/proc/sys/kernel/cap_last_cap") as handle:
        last = int(handle.read())
    _prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    for cap in range(last + 1):
        _prctl(PR_CAPBSET_DROP, cap)  # needs CAP_SETPCAP, so before capset
    _prctl(PR_SET_SECUREBITS, SECUREBITS_LOCKED)
    _check(_libc.capset(ctypes.byref(_CapHeader(CAPABILITY_VERSION_3, 0)), (_CapData * 2)()), "capset")
    _prctl(PR_SET_NO_NEW_PRIVS, 1)


class Zygote:
    """The serving loop's state: its own tmpfs mounts, and the process state every kernel inherits."""

    def __init__(self, tmp_bytes: int, home_bytes: int):
        self.tmp_bytes, self.home_bytes = tmp_bytes, home_bytes
        self.mounted = False  # /tmp and /home/student are this process's tmpfs (else bubblewrap's)
        self.state = inherited_state()
        # What bubblewrap bound inside /tmp or /home/student (a Python environment that lies under
        # /tmp, say): kept open, to be bound again into every new tmpfs.
        self.binds = [(path, os.open(path, os.O_PATH | os.O_NOFOLLOW)) for path in binds_inside(("/tmp", HOME))]

    def end_everything_else(self) -> None:
        """Kill every other process of the sandbox and reap them all (this is PID 1)."""
        while True:
            try:
                os.kill(-1, signal.SIGKILL)  # from PID 1: every process of the namespace but itself
            except ProcessLookupError:
                pass
            try:
                while os.waitpid(-1, os.WNOHANG)[0]:
                    pass
            except ChildProcessError:
                return  # every process of the namespace descends from PID 1: none is left
            time.sleep(0.001)

    def fresh_folders(self) -> None:
        """New /tmp and /home/student; the old ones are detached (and freed with their last user).

        The read-only binds bubblewrap made inside them are bound again, whole
        (``MS_REC``: with the masks inside them, which stay locked).
        """
        for target, size in (("/tmp", self.tmp_bytes), (HOME, self.home_bytes)):
            if self.mounted:
                _check(_libc.umount2(target.encode(), MNT_DETACH), f"umount {target}")
            _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"mode=1777,size={size}")
        self.mounted = True
        for path, fd in self.binds:
            parent = os.path.dirname(path)
            os.makedirs(parent, 0o755, exist_ok=True)
            if os.path.isdir(f"/proc/self/fd/{fd}"):
                os.mkdir(path, 0o755)
            else:
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
            _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)

    def fork_kernel(self) -> int:
        """The PID of a new kernel, which reads the waiting request itself; 0 if it could not."""
        if inherited_state() != self.state:
            # A kernel changed what the next ones would inherit (its limits, its OOM score, ...):
            # this parent must not fork again. The grader starts a new one.
            sys.stderr.write("warm parent: its process state changed; ending\n")
            os._exit(3)
        self.end_everything_else()
        self.fresh_folders()
        handshake, told = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(handshake)
            _become_kernel(told)
        os.close(told)
        with os.fdopen(handshake, "rb") as answer:
            read = answer.read()  # b"read" once the child has taken the request off stdin
        return pid if read == b"read" else 0


def binds_inside(folders: tuple) -> list:
    """The outermost mount points strictly inside ``folders``, from ``/proc/self/mountinfo``."""
    with open("/proc/self/mountinfo") as handle:
        points = [line.split()[4].encode().decode("unicode_escape") for line in handle]
    inside = sorted({p for p in points if any(p.startswith(f"{f}/") for f in folders)})
    return [p for p in inside if not any(p != q and p.startswith(f"{q}/") for q in inside)]


def inherited_state() -> tuple:
    """What a forked kernel inherits of this process and another process of its UID could change."""
    import resource

    limits = tuple(resource.getrlimit(getattr(resource, name)) for name in sorted(dir(resource))
                   if name.startswith("RLIMIT_"))
    import fcntl

    streams = []
    for fd in (0, 1, 2):  # open file descriptions a kernel shares with this process (stdout, stderr)
        try:
            streams.append((fcntl.fcntl(fd, fcntl.F_GETFL), _pipe_size(fd)))
        except OSError:
            streams.append(None)
    files = [tuple(streams)]
    for name in ("oom_score_adj", "coredump_filter", "timerslack_ns", "autogroup"):
        try:
            with open(f"/proc/self/{name}") as handle:
                files.append(handle.read())
        except OSError:
            files.append(None)
    return (limits, tuple(files), os.getpriority(os.PRIO_PROCESS, 0), os.sched_getscheduler(0),
            os.sched_getparam(0), tuple(sorted(os.sched_getaffinity(0))), os.umask(os.umask(0o022)))


def _pipe_size(fd):
    import fcntl

    try:
        return fcntl.fcntl(fd, 1032)  # F_GETPIPE_SZ
    except OSError:
        return None  # not a pipe


def _read_request():
    """The request line, read from stdin by the child itself (the parent never reads one)."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = os.read(0, 65536)
        if not chunk:
            raise EOFError("no request")
        data += chunk
    return json.loads(data)


def _loopback_up():
    """Bring up the loopback of the kernel's new network namespace (bubblewrap does it for its own)."""
    import fcntl
    import socket
    import struct

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        request = struct.pack("16sH", b"lo", 0).ljust(40, b"\0")  # struct ifreq
        flags = struct.unpack_from("16sH", fcntl.ioctl(probe, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(probe, SIOCSIFFLAGS, struct.pack("16sH", b"lo", flags | IFF_UP).ljust(40, b"\0"))


def _become_kernel(told):
    """Run in the forked child: take the request, make the kernel's own world, start ipykernel. Never returns."""
    try:
        request = _read_request()
        os.write(told, b"read")
        os.close(told)
        workdir = f"{HOME}/{os.path.basename(request['workdir'])}"
        os.mkdir(workdir)
        os.chmod(workdir, 0o777)
        os.mkdir(KERNEL_DIR, 0o700)
        descriptor = os.open(f"{KERNEL_DIR}/kernel.json", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(request["connection"], handle)
        argv = request["argv"]
        del request
        _check(_libc.unshare(CLONE_NEWIPC | CLONE_NEWNET), "unshare")
        _loopback_up()
        drop_all_capabilities()
        _prctl(PR_SET_DUMPABLE, 1)  # the grader reaches its sockets through /proc/<pid>/root
        os.setsid()
        os.chdir(workdir)
        devnull = os.open("/dev/null", os.O_RDONLY)
        os.dup2(devnull, 0)
        os.closerange(3, 65536)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        _reseed()
    except BaseException:  # noqa: BLE001 (reported on stderr, which the grader drains)
        traceback.print_exc()
        os._exit(70)
    # As python -m ipykernel_launcher: its path as argv[0], no script folder on
    # sys.path (ipykernel's init_path adds '' for the working folder).
    sys.argv = [_LAUNCHER, *argv]
    sys.path[:] = [p for p in sys.path if p != _SCRIPT_DIR]
    try:
        from ipykernel import kernelapp

        kernelapp.launch_new_instance(argv=argv)
    except SystemExit as end:
        os._exit(end.code if isinstance(end.code, int) else 1)
    except BaseException:  # noqa: BLE001
        traceback.print_exc()
        os._exit(1)
    os._exit(0)


def _reseed():
    """Fresh random states: the ones made at import in the parent would be every kernel's."""
    import random

    random.seed()
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()


_SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
_LAUNCHER = "ipykernel_launcher"  # its file, once ipykernel is found (serve)


def serve(tmp_bytes: int, home_bytes: int, reply_fd: int, preload: list) -> None:
    global _LAUNCHER
    import importlib.util

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a kernel's SIGINT must not end this process
    _prctl(PR_SET_DUMPABLE, 0)  # no process of the sandbox may read or write this one's memory
    _check(_libc.unshare(CLONE_NEWNS), "unshare")  # mounts of its own (bubblewrap's are locked)
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    for name in preload:
        __import__(name)
    import ipykernel.kernelapp  # noqa: F401 (imported once, here, for every kernel forked later)

    _LAUNCHER = importlib.util.find_spec("ipykernel_launcher").origin
    zygote = Zygote(tmp_bytes, home_bytes)
    reply = os.fdopen(reply_fd, "w", buffering=1)
    reply.write(json.dumps({"ready": True}) + "\n")
    kernel = None  # a pidfd of the last kernel while it runs
    while True:
        ready, _, _ = select.select([0] + ([kernel] if kernel is not None else []), [], [])
        if kernel in ready:  # the kernel ended: so does everything it started, now
            os.close(kernel)
            kernel = None
            zygote.end_everything_else()
        if 0 not in ready:
            continue
        # A request is waiting (the kernel reads it, not this process).
        if kernel is not None:
            os.close(kernel)
            kernel = None
        pid = zygote.fork_kernel()
        if not pid:
            reply.write(json.dumps({"error": "the kernel could not start (see the kernel's output)"}) + "\n")
            os._exit(4)  # its request may still be in the pipe: the grader starts a new parent
        kernel = os.pidfd_open(pid)
        reply.write(json.dumps({"pid": pid}) + "\n")


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:])
