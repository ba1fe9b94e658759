"""Correct functions, and added notebook cells that each sleep just under the cell limit.

Issue 18: thirty cells of time.sleep(9.8) cost 300 s of one student's grading, a thousand
would cost hours. The catalogue runs with 3 s cells and a 6 s notebook limit: the cells
past the limit are not run, the graded cells still score, the submission is flagged.
"""

import numpy as np

EXPECTED_POINTS = {'l1': 3, 'l2': 3}
ADDED_CELLS = ["import time\ntime.sleep(2.5)", "import time\ntime.sleep(2.5)", "import time\ntime.sleep(2.5)",
               "import time\ntime.sleep(2.5)", "import time\ntime.sleep(2.5)", "import time\ntime.sleep(2.5)",
               "import time\ntime.sleep(2.5)", "import time\ntime.sleep(2.5)"]


def L1_reg(W, reg):
    dW = reg * np.sign(W)
    dW[-1] = 0
    return reg * np.abs(W[:-1]).sum(), dW


def L2_reg(W, reg):
    dW = 2 * reg * W
    dW[-1] = 0
    return reg * (W[:-1] ** 2).sum(), dW
