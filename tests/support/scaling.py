"""How a function's time grows with its input, measured in one run (no wall-clock limits)."""

import time

#: A ratio for 4x the input below this is well below quadratic (16).
RATIO = 8


def _best_time(run, source, repeats):
    # CPU time of this process, not wall time: what other processes on a shared machine
    # cost (they took a ratio to 19 and 41 under a loaded CI) is not counted.
    best = None
    for _ in range(repeats):
        started = time.process_time()
        run(source)
        elapsed = time.process_time() - started
        best = elapsed if best is None else min(best, elapsed)
    return best


def growth(run, make, size, repeats=5):
    """``time(make(4 * size)) / time(make(size))`` for ``run``, each the best of ``repeats`` runs.

    Times are this process's CPU time and the best of several runs, which takes
    out what other processes on the machine cost; the ratio is about 4 for a
    linear ``run`` and 16 for a quadratic one. ``run`` must work in this process.
    """
    small, large = make(size), make(4 * size)
    assert 3.5 * len(small) < len(large) < 4.5 * len(small)
    run(small)  # imports and caches: not part of either measurement
    return _best_time(run, large, repeats) / _best_time(run, small, repeats)
