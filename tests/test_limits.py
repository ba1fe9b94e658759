"""The caps that the fault tests rely on hold before any fault is run."""

import io

import numpy as np

from grading.kernel_limits import CappedStream
from grading.sandbox import Limits, run_isolated
from integrity_helpers import (TWO_GIB, assert_memory_caps_in_place, kernel_cap_works,
                               project_config, sandbox_cap_works)


def test_project_caps_memory_at_most_2_gib_in_kernel_and_sandbox(tmp_path):
    assert_memory_caps_in_place(tmp_path)


def test_kernel_cap_turns_a_big_allocation_into_memory_error():
    assert kernel_cap_works(512 * 1024**2)


def test_sandbox_cap_turns_a_big_allocation_into_memory_error(tmp_path):
    assert sandbox_cap_works(tmp_path, 512 * 1024**2)


def test_cell_time_limit_is_set():
    assert 0 < project_config().Execute.timeout <= 60


def test_output_cap_passes_the_first_characters_then_notes_and_drops_the_rest():
    sink = io.StringIO()
    stream = CappedStream(sink, 10)
    for _ in range(100):
        stream.write("abcdef")
    assert sink.getvalue() == "abcdefabcd\n[output truncated by the grader]\n"


def test_sandbox_wall_limit_ends_a_hanging_function_and_keeps_the_others(tmp_path):
    module = tmp_path / "regularization.py"
    module.write_text("def L1_reg(W, reg):\n    while True:\n        pass\n\n"
                      "def L2_reg(W, reg):\n    return 1.0, W\n")
    W = np.ones((2, 2))
    run = run_isolated(module, [("L1_reg", W, 0.5), ("L2_reg", W, 0.5)], Limits(wall_seconds=2))
    assert [o.status for o in run.outcomes] == ["fault", "ok"]
    assert run.faults == ["L1_reg did not finish within 2 s"]


def test_sandbox_never_unpickles(tmp_path):
    # A function returning an object array must come back as "did not convert", not as objects.
    module = tmp_path / "regularization.py"
    module.write_text("import numpy as np\n\ndef L1_reg(W, reg):\n"
                      "    return np.array([object()], dtype=object), W\n")
    run = run_isolated(module, [("L1_reg", np.ones((2, 2)), 0.5)])
    assert run.outcomes[0].status == "ok" and run.outcomes[0].R_ok is False
    assert TWO_GIB == Limits().memory_bytes
