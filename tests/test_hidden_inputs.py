"""What the grader's messages may say of its hidden inputs: their kind, shape, dtype and reg, never their values.

The isolated re-grade's message of a failed cell reaches the student: nbgrader
scores the cell from it, and feedback shows it. Here the re-grade runs in a
plain child process (no sandbox: what is tested is the grader's side), in
seconds.
"""

import numpy as np
import pytest

from grading import checks
from grading.preprocessors.isolated_regrade import isolated_scores
from grading.sandbox.regrade import Limits

#: A correct L1_reg and L2_reg that crash on the larger hidden inputs only, so that their crash is
#: the message of the loss and gradient cells; ``{raise}`` is how they carry W out.
MODULE = '''
import numpy as np

def _data(W):
    return "_".join(format(x, ".17g") for x in np.asarray(W, dtype=np.float64).ravel()[:20])

def _reg(W, reg, kind):
    if W.size > 40:
        {raise}
    dW = reg * (np.sign(W) if kind == 1 else 2 * W)
    dW[-1] = 0
    return reg * (np.abs(W[:-1]).sum() if kind == 1 else (W[:-1] ** 2).sum()), dW

def L1_reg(W, reg):
    return _reg(W, reg, 1)

def L2_reg(W, reg):
    return _reg(W, reg, 2)
'''

CARRIERS = {
    "message": "raise ValueError(_data(W).replace('_', ' '))",
    "class name": "raise type('E' + _data(W).replace('.', 'd').replace('-', 'm'), (Exception,), {})()",
    "returned type": "return type('E' + _data(W).replace('.', 'd').replace('-', 'm'), (), {})()",
}


def hidden_values():
    """Every value of every hidden input, as the module above writes it (17 significant digits)."""
    values = {format(x, ".17g") for case in checks.hidden_cases() for x in np.asarray(case.W, np.float64).ravel()}
    return {value for value in values if len(value) > 8}  # not 0, 1.5 or the like: those say nothing


# A leak the red team found: the re-grade replayed the student's exception with its class name and
# message, and the type of a result that is not two results, as the student's code made them (up to
# 500 characters each), so a function that raised with W in its text showed a hidden input in feedback.
# Fixed in grading.preprocessors.isolated_regrade (_Replay): on hidden inputs only Python's and NumPy's
# own class names are repeated and the message is withheld; selfcheck shows it on the public inputs.
@pytest.mark.parametrize("carrier", CARRIERS, ids=list(CARRIERS))
def test_a_crash_on_a_hidden_input_shows_none_of_its_values(carrier):
    module = MODULE.replace("{raise}", CARRIERS[carrier]).encode()
    cells, _ = isolated_scores(module, module.decode(), Limits())
    assert not cells["l1_loss"][0], "the crash fails the cell: its message is what the student sees"
    shown = " ".join(message for _, message in cells.values())
    decoded = shown.replace("_", " ").replace("d", ".").replace("m", "-").replace("E", " ")
    leaked = {value for value in hidden_values() if value in shown or value in decoded}
    assert not leaked, f"{len(leaked)} hidden values reach the student, e.g. {sorted(leaked)[:3]}"
