"""The warm parent of the grading kernels: forks one fresh kernel per submission, inside its sandbox.

Started by ``grading.sandbox.warm`` as ``python zygote.py <tmp_bytes>
<home_bytes> <reply_fd> <module>...`` as PID 1 of a bubblewrap sandbox built
like every kernel's (same binds, masks and limits, no network), with two
capabilities *in that sandbox's own user namespace* (``CAP_SYS_ADMIN``,
``CAP_SETPCAP``; bubblewrap's ``--disable-userns`` still forbids further
user namespaces). It imports ipykernel, IPython and the given modules
(NumPy) once, makes a mount namespace of its own, and then serves requests,
one at a time, each a JSON line on stdin::

    {"workdir": "ps1", "connection": {...}, "argv": ["-f", "/tmp/.kernel/kernel.json", ...]}

For each request, before it forks:

1. it ends every other process of the sandbox (``kill(-1, SIGKILL)`` from
   PID 1, repeated until none is left to reap): the kernel before, and
   anything that kernel started;
2. it clears the keyrings of the sandbox's user, and mounts a new
   size-capped tmpfs on ``/tmp`` and on ``/home/student`` (the ones before
   are detached): nothing an earlier kernel wrote is left;
3. it makes the working folder and writes the connection file.

The child, the kernel, then makes a new IPC namespace (no System V object
of an earlier kernel), drops every capability (effective, permitted,
inheritable, ambient and bounding; securebits locked, so even UID 0 gains
none at ``exec``) and sets ``no_new_privs``, so it can neither mount nor
unmount; it closes every file descriptor of the parent but stdout and
stderr, and runs ipykernel as ``python -m ipykernel_launcher`` would. No
kernel can touch this process: it is PID 1 (the kernel's SIGKILL does not
reach it, SIGINT is ignored, it has no other handler), not dumpable, and
holds capabilities the kernel lacks (so no ``ptrace``, no ``/proc/1/mem``).

It answers ``{"pid": <the kernel's PID in the sandbox>}`` or ``{"error": ...}``
on ``reply_fd``. It imports nothing of the grading code (masked in the sandbox).
"""

import ctypes
import json
import os
import signal
import sys
import time
import traceback

CLONE_NEWNS, CLONE_NEWIPC = 0x00020000, 0x08000000
MS_NOSUID, MS_NODEV, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x4000, 1 << 18
MNT_DETACH = 2
PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_SECUREBITS = 4, 24, 28
PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 38, 47, 4
# SECBIT_NOROOT, _NO_SETUID_FIXUP, _KEEP_CAPS, _NO_CAP_AMBIENT_RAISE, each with its lock.
SECUREBITS_LOCKED = 0xFF
CAPABILITY_VERSION_3 = 0x20080522
SYS_KEYCTL = {"x86_64": 250, "aarch64": 219}.get(os.uname().machine)
KEYCTL_CLEAR = 7
KEY_SPEC_USER_KEYRING, KEY_SPEC_USER_SESSION_KEYRING = -4, -5

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
    """The serving loop's state: its own tmpfs mounts and the kernel it forked last."""

    def __init__(self, tmp_bytes: int, home_bytes: int):
        self.tmp_bytes, self.home_bytes = tmp_bytes, home_bytes
        self.mounted = False  # /tmp and /home/student are this process's tmpfs (else bubblewrap's)

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

    def fresh_folders(self, request: dict) -> str:
        """New /tmp and /home/student (the old ones detached), the working folder, the connection file."""
        for key in (KEY_SPEC_USER_KEYRING, KEY_SPEC_USER_SESSION_KEYRING) if SYS_KEYCTL else ():
            _libc.syscall(SYS_KEYCTL, KEYCTL_CLEAR, key)  # fails only if there is none: nothing to clear
        for target, size in (("/tmp", self.tmp_bytes), (HOME, self.home_bytes)):
            if self.mounted:
                _check(_libc.umount2(target.encode(), MNT_DETACH), f"umount {target}")
            _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"mode=1777,size={size}")
        self.mounted = True
        workdir = f"{HOME}/{os.path.basename(request['workdir'])}"
        os.mkdir(workdir)
        os.chmod(workdir, 0o777)
        os.mkdir(KERNEL_DIR, 0o700)
        descriptor = os.open(f"{KERNEL_DIR}/kernel.json", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(request["connection"], handle)
        return workdir

    def fork_kernel(self, request: dict) -> int:
        """The PID of a new kernel for ``request``."""
        self.end_everything_else()
        workdir = self.fresh_folders(request)
        pid = os.fork()
        if pid == 0:
            _become_kernel(request["argv"], workdir)
        return pid


def _become_kernel(argv, workdir):
    """Run in the forked child: never returns."""
    try:
        _check(_libc.unshare(CLONE_NEWIPC), "unshare")
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
    for line in sys.stdin:
        try:
            reply.write(json.dumps({"pid": zygote.fork_kernel(json.loads(line))}) + "\n")
        except Exception as error:  # noqa: BLE001 (the grader reports it)
            reply.write(json.dumps({"error": f"{type(error).__name__}: {error}"}) + "\n")


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:])
