"""The caps that the fault tests rely on hold before any fault is run."""

import numpy as np

from grading.sandbox import Limits, run_isolated
from integrity_helpers import (TWO_GIB, assert_memory_caps_in_place, kernel_cap_works,
                               project_config, project_sandbox, sandbox_cap_works)


def test_project_caps_memory_at_most_2_gib_in_kernel_and_sandbox():
    assert_memory_caps_in_place()


def test_kernel_cap_turns_a_big_allocation_into_memory_error():
    assert kernel_cap_works(512 * 1024**2)


def test_sandbox_cap_turns_a_big_allocation_into_memory_error():
    assert sandbox_cap_works(512 * 1024**2)


def test_cell_time_limit_is_set():
    assert 0 < project_config().Execute.timeout <= 60


def test_sandbox_wall_limit_ends_a_hanging_function_and_keeps_the_others():
    module = (b"def L1_reg(W, reg):\n    while True:\n        pass\n\n"
              b"def L2_reg(W, reg):\n    return 1.0, W\n")
    W = np.ones((2, 2))
    run = run_isolated(module, [("L1_reg", W, 0.5), ("L2_reg", W, 0.5)], Limits(wall_seconds=2),
                       project_sandbox())
    assert [o.status for o in run.outcomes] == ["fault", "ok"]
    assert run.faults == ["L1_reg did not finish within 2 s"]


def test_sandbox_never_unpickles():
    # A function returning an object array must come back as "did not convert", not as objects.
    module = (b"import numpy as np\n\ndef L1_reg(W, reg):\n"
              b"    return np.array([object()], dtype=object), W\n")
    run = run_isolated(module, [("L1_reg", np.ones((2, 2)), 0.5)], sandbox=project_sandbox())
    assert run.outcomes[0].status == "ok" and run.outcomes[0].R_ok is False
    assert TWO_GIB == Limits().memory_bytes


def test_the_grader_reads_at_most_the_output_cap_from_the_child():
    # The child's result pipe is read up to Limits.output_bytes, then the child is killed.
    module = (b"import numpy as np\n\ndef L1_reg(W, reg):\n"
              b"    return 1.0, np.ones((512, 512))\n")
    calls = [("L1_reg", np.ones((2, 2)), 0.5)] * 4
    run = run_isolated(module, calls, Limits(output_bytes=5 * 1024**2), project_sandbox())
    assert run.outcomes[0].status == "ok"
    assert any("more than 5242880 bytes" in fault for fault in run.faults)
