"""Helpers for the integrity tests: reports, scores per exercise, and the memory-cap guard."""

import subprocess
import sys
from dataclasses import asdict

from grading.course import load_config
from grading.integrity.report import IntegrityReport
from grading.sandbox.bubblewrap import Sandbox
from grading.sandbox.regrade import Limits, run_isolated
from grading.tools.scratch_course import REPO

TWO_GIB = 2 * 1024**3


def report(course, student):
    """The student's integrity report, as a dict of its fields."""
    found = IntegrityReport.read(course.root / "autograded" / student / "assignment2")
    assert found is not None, f"no integrity report for {student}"
    return asdict(found)


def exercise_points(scores, exercise):
    return sum(v for g, v in scores.items() if g.startswith(exercise) and not g.endswith("explanation"))


def project_config():
    """The configuration nbgrader would use in the repository (the course folder)."""
    return load_config(REPO)


def project_sandbox():
    """The project's sandbox settings, as nbgrader_config.py sets them."""
    return Sandbox(config=project_config())


def kernel_cap_works(limit_bytes):
    """Whether a process in the grading sandbox (as the kernel runs) gets MemoryError above ``limit_bytes``."""
    sandbox = project_sandbox()
    sandbox.memory_bytes = limit_bytes
    probe = (f"import numpy as np\ntry:\n    np.ones({limit_bytes} // 8 + 1)\n"
             "except MemoryError:\n    print('capped')\n")
    launch = sandbox.launch([sys.executable, "-c", probe])
    try:
        done = subprocess.run(launch.command, pass_fds=launch.pass_fds, capture_output=True, text=True, timeout=60)
    finally:
        launch.close()
    return done.stdout.strip() == "capped"


def sandbox_cap_works(limit_bytes):
    """Whether the isolated re-grade's child turns an allocation above ``limit_bytes`` into MemoryError."""
    module = f"import numpy as np\n\ndef L1_reg(W, reg):\n    return np.ones({limit_bytes} // 8 + 1), W\n"
    import numpy as np
    run = run_isolated(module.encode(), [("L1_reg", np.ones((2, 2)), 0.5)], Limits(memory_bytes=limit_bytes),
                       project_sandbox())
    return run.outcomes[0].status == "raised" and run.outcomes[0].error == "MemoryError"


def assert_memory_caps_in_place():
    """Refuse to go on unless both graders of a submission run under a tested cap of at most 2 GiB."""
    config = project_config()
    kernel_limit = project_sandbox().memory_bytes
    sandbox_limit = config.IsolatedRegrade.memory_limit
    assert project_sandbox().enabled, "the grading sandbox is switched off"
    assert 0 < kernel_limit <= TWO_GIB and 0 < sandbox_limit <= TWO_GIB
    assert kernel_cap_works(kernel_limit), "the kernel's memory cap does not hold"
    assert sandbox_cap_works(sandbox_limit), "the re-grade's memory cap does not hold"
