"""How the static readers' time grows with the size of crafted input.

Usage: ``.venv/bin/python benchmarks/audit_scaling.py [KB ...] [--timeout S] [--shape NAME ...]``
(default sizes 8 16 32 64 KB, 60 s per measurement).

The audit (``grading.integrity.audit``) and the loop finder (``grading.loops``)
run in nbgrader's own process, on text a student wrote. For each crafted
shape below, the script times them on inputs of growing size, each
measurement in a fresh child process that is stopped after ``--timeout``
seconds, and prints each time and its ratio to the time at the previous size.
Doubling the input should about double the time (ratio ~2); a ratio near 4
is quadratic, and a ratio that grows is worse. The caps that keep the grader
bounded beyond these sizes (``IsolatedRegrade.audit_max_bytes``, 64 KiB) are
not applied here: the functions are called directly.

Module shapes run ``audit_module`` and ``find_loops``; cell shapes run
``audit_cell`` and ``notebook_names``.
"""

from __future__ import annotations

import multiprocessing
import queue
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _repeat(piece, size, head="", tail=""):
    return head + piece * max(1, (size - len(head) - len(tail)) // len(piece)) + tail


FUNCTION = "def L1_reg(W, reg):\n    return 0, W\n"

#: name -> (kind, make(size in bytes) -> source)
SHAPES = {
    # The 1 MiB module of one repeated string constant: text that
    # looks like pieces of special names ("__a") makes the special-name test
    # backtrack.
    "module: one long string constant": ("module", lambda n: _repeat("é__a", n, 'x = "', '"\n' + FUNCTION)),
    "module: a string constant per line": ("module", lambda n: _repeat('"__a"\n', n, "", FUNCTION)),
    # A name bound to itself again and again: every binding is followed.
    "module: a name rebound to itself": ("module", lambda n: _repeat(
        "    x = x\n", n, "def L1_reg(W, reg):\n    x = W\n", "    return x(), W\n")),
    # A chain of module-level functions, each calling the next.
    "module: a chain of functions": ("module", lambda n: FUNCTION.replace("0, W", "f0(), W") + "".join(
        f"def f{i}():\n    return f{i + 1}()\n" for i in range(n // 30))),
    "module: star imports and free names": ("module", lambda n: _repeat("from numpy import *\n", n // 2) + _repeat(
        "    print(zz)\n", n // 2, "def L1_reg(W, reg):\n", "    return 0, W\n")),
    # Python's own parser (ast.parse) on an f-string of many pieces: quadratic in 3.11, which the
    # cap (IsolatedRegrade.audit_max_bytes) bounds.
    "module: an f-string of many pieces": ("module", lambda n: _repeat("{a}", n, "x = f'", "'\n" + FUNCTION)),
    "cell: plain Python": ("cell", lambda n: _repeat("x = np.sum(W) + 1\n", n)),
    "cell: one long string constant": ("cell", lambda n: _repeat("é__a", n, 'x = "', '"\n')),
    "cell: IPython magics inside lines": ("cell", lambda n: _repeat("t = %time f(1)\n", n)),
    "cell: IPython help syntax": ("cell", lambda n: _repeat("np.sum?\n", n, "x = 1\n")),
}


def _measure(kind, source, answers):
    from grading.integrity.audit import audit_cell, audit_module, notebook_names
    from grading.loops import find_loops

    started = time.perf_counter()
    note = "ok"
    try:
        if kind == "module":
            audit_module(source)
            try:
                find_loops(source, "L1_reg")
            except Exception as error:  # noqa: BLE001 (what it raises is the loop check's business)
                note = f"find_loops raised {type(error).__name__}"
        else:
            notebook_names([source])
            audit_cell(source, "notebook cell 1")
        answers.put((note, time.perf_counter() - started))
    except BaseException as error:  # noqa: BLE001 (report it and go on)
        answers.put((f"raised {type(error).__name__}", time.perf_counter() - started))


def measure(kind, source, timeout):
    """``(seconds, note)`` of one measurement in a fresh child process."""
    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    child = context.Process(target=_measure, args=(kind, source, answers))
    child.start()
    try:
        note, seconds = answers.get(timeout=timeout)
    except queue.Empty:
        child.kill()
        note, seconds = f"stopped after {timeout:g} s", None
    child.join()
    return seconds, note


def main(argv):
    sizes, timeout, only = [], 60.0, []
    args = iter(argv)
    for arg in args:
        if arg == "--timeout":
            timeout = float(next(args))
        elif arg == "--shape":
            only.append(next(args))
        else:
            sizes.append(int(arg))
    sizes = sizes or [8, 16, 32, 64]
    for name, (kind, make) in SHAPES.items():
        if only and not any(o in name for o in only):
            continue
        print(name)
        previous = None
        for kb in sizes:
            seconds, note = measure(kind, make(kb * 1024), timeout)
            if seconds is None:
                print(f"  {kb:5d} KB  {note}")
                break
            ratio = f"  x{seconds / previous:5.1f}" if previous else ""
            print(f"  {kb:5d} KB  {seconds:8.3f} s{ratio}" + ("" if note == "ok" else f"  ({note})"), flush=True)
            previous = max(seconds, 1e-4)


if __name__ == "__main__":
    main(sys.argv[1:])
