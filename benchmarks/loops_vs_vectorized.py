"""How much slower are looping submissions than vectorized ones?

Usage: ``.venv/bin/python benchmarks/loops_vs_vectorized.py``. Times the
reference ``L2_reg``, two correct catalogue variants that do extra work, and
looping variants (over the 10 columns, over the rows, over every entry) on
the hidden tests' largest input, in one run, and prints each time as a ratio
to the reference. This informs whether a timing check could add anything to
the static no-loops check.
"""

import importlib.util
import sys
import timeit
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import regularization  # noqa: E402

CATALOGUE = REPO / "tests" / "catalogue"


def load(path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.L2_reg


def column_loop(W, reg):
    """Loops over the K columns: a loop the assignment forbids, but a short one."""
    R = 0.0
    dW = np.zeros_like(W)
    for j in range(W.shape[1]):
        R += reg * np.sum(W[:-1, j] ** 2)
        dW[:-1, j] = 2 * reg * W[:-1, j]
    return R, dW


def main():
    W = np.random.default_rng(0).uniform(-1, 1, size=(3073, 10))
    variants = {
        "reference": regularization.L2_reg,
        "correct: masks": load(CATALOGUE / "correct" / "masks.py"),
        "correct: where": load(CATALOGUE / "correct" / "where_subgradient_reg.py"),
        "loop over columns": column_loop,
        "list comprehension": load(CATALOGUE / "mistakes" / "l2_list_comprehension.py"),
        "nested for loops": load(CATALOGUE / "mistakes" / "l2_nested_loops.py"),
    }
    times = {}
    for name, fn in variants.items():
        runs = 3 if "loops" in name else 200
        times[name] = min(timeit.repeat(lambda fn=fn: fn(W, 0.1), number=runs, repeat=5)) / runs
    base = times["reference"]
    for name, seconds in times.items():
        print(f"{name:20s} {seconds * 1e6:10.1f} us  {seconds / base:8.1f}x reference")


if __name__ == "__main__":
    main()
