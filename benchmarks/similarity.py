"""How long does the similarity report take for a class of 1,000 (and how does it grow)?

Usage: ``.venv/bin/python benchmarks/similarity.py [STUDENTS ...]`` (default 250 500 1000).
For each size, writes the synthetic class of ``tests/support/similarity_class.py``
(honest students and the planted copies) as files into a temporary folder, no
autograde, then times ``grading.tools.similarity.run`` on it in this process: reading
every submission under its caps, fingerprinting, scoring, and writing the JSON and
the page. Prints the wall-clock and CPU time, the pairs listed and shown, and the
peak memory of the process.
"""

import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from grading.tools.similarity import SimilarityReport, run  # noqa: E402
from support.similarity_class import build_class, planted_pairs  # noqa: E402


def main(sizes):
    planted = len({(a, b) for a, b, _ in planted_pairs()})
    print(f"{'students':>8} {'wall s':>7} {'cpu s':>6} {'listed':>7} {'shown':>6}  (planted pairs: {planted})")
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            root = build_class(Path(folder) / "course", honest=size - 11)
            wall, cpu = time.perf_counter(), time.process_time()
            result = run(root, "assignment2", SimilarityReport())
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(f"{size:>8} {wall:>7.1f} {cpu:>6.1f} {len(result['pairs']):>7} {len(result['shown']):>6}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the process: {peak:.0f} MiB")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [250, 500, 1000])
