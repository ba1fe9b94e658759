"""Helpers for the integrity tests: reports, scores per exercise, and the memory-cap guard."""

import json
import subprocess
import sys
import textwrap

from traitlets.config.loader import PyFileConfigLoader

from grading.sandbox import Limits, run_isolated
from grading.scratch_course import REPO

TWO_GIB = 2 * 1024**3


def report(course, student):
    path = course.root / "autograded" / student / "assignment2" / "integrity.json"
    return json.loads(path.read_text(encoding="utf-8"))


def exercise_points(scores, exercise):
    return sum(v for g, v in scores.items() if g.startswith(exercise) and not g.endswith("explanation"))


def project_config():
    return PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()


def kernel_cap_works(limit_bytes):
    """Whether ``kernel_limits.apply`` makes an allocation above ``limit_bytes`` fail."""
    probe = textwrap.dedent(f"""
        import numpy as np
        from grading.kernel_limits import apply
        apply({limit_bytes}, 1000)
        try:
            np.ones({limit_bytes} // 8 + 1)
        except MemoryError:
            print("capped", file=sys.__stdout__)
    """)
    done = subprocess.run([sys.executable, "-c", "import sys\n" + probe],
                          capture_output=True, text=True, timeout=60)
    return done.stdout.strip() == "capped"


def sandbox_cap_works(tmp_path, limit_bytes):
    """Whether the sandbox turns an allocation above ``limit_bytes`` into MemoryError."""
    module = tmp_path / "regularization.py"
    module.write_text(f"import numpy as np\n\ndef L1_reg(W, reg):\n    return np.ones({limit_bytes} // 8 + 1), W\n")
    import numpy as np
    run = run_isolated(module, [("L1_reg", np.ones((2, 2)), 0.5)], Limits(memory_bytes=limit_bytes))
    return run.outcomes[0].status == "raised" and run.outcomes[0].error == "MemoryError"


def assert_memory_caps_in_place(tmp_path):
    """Refuse to go on unless both graders of a submission run under a tested cap of at most 2 GiB."""
    config = project_config()
    arguments = " ".join(config.Execute.extra_arguments)
    assert "kernel_limits.apply(" in arguments, "the grading kernel has no memory cap"
    kernel_limit = int(arguments.split("apply(")[1].split(",")[0])
    sandbox_limit = config.IsolatedRegrade.memory_limit
    assert 0 < kernel_limit <= TWO_GIB and 0 < sandbox_limit <= TWO_GIB
    assert kernel_cap_works(kernel_limit), "the kernel's memory cap does not hold"
    assert sandbox_cap_works(tmp_path, sandbox_limit), "the sandbox's memory cap does not hold"
