"""Check your ``L1_reg`` and ``L2_reg`` before you submit: the grader's own checks, on public inputs.

In the notebook (this file is ``selfcheck/__init__.py`` of the assignment folder)::

    from selfcheck import check
    check("1.1")        # the four checks of part 1.1 (L1_reg): loss, gradient, bias and input, vectorized
    check("l2_loss")    # the check of one graded cell

``check`` prints one line per check that passes and the grader's message for
each one that fails, then raises :class:`CheckFailed` naming every failed
check, so "Run All" stops at the first part with a mistake. The checks and
their messages are the grader's (``judge.py``, with the same loop finder,
``loops.py``); the inputs are public ones (``public_cases.json``: other
shapes, a W that is only the bias row, one category, exact zeros,
``float32``, ``reg = 0`` and several strengths), whose answers were computed
ahead. When your submission is graded, the same checks run again on hidden
inputs of the same kinds: a function that passes here passes there, unless
it treats the inputs it was shown differently from others.

The functions checked are those of ``regularization.py`` (the module, as
the grader reads it), not functions defined in the notebook.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import numpy as np

from .judge import (
    Case,
    CheckFailed,
    Function,
    check_bias_and_input,
    check_gradient,
    check_loss,
    check_vectorized,
)

CASES_FILE = Path(__file__).with_name("public_cases.json")

#: Part of the notebook -> the function it asks for.
PARTS = {"1.1": Function("L1", "L1_reg"), "2.1": Function("L2", "L2_reg")}
#: The checks of a part, as the graded cells name them, with their points.
CHECKS = {"loss": 1.0, "gradient": 1.0, "bias_and_input": 0.5, "vectorized": 0.5}

__all__ = ["CheckFailed", "check", "public_cases"]


def public_cases(kind: str) -> list[Case]:
    """The public inputs of ``kind`` (``"L1"`` or ``"L2"``) with their answers, from ``public_cases.json``."""
    with open(CASES_FILE, encoding="utf-8") as handle:
        data = json.load(handle)[kind]
    cases = []
    for entry in data["cases"]:
        cases.append(Case(
            W=np.array(entry["W"], dtype=np.float64).astype(entry["dtype"]),
            reg=float(entry["reg"]),
            what=entry["what"],
            R=float(entry["R"]),
            dW=np.array(entry["dW"], dtype=np.float64),
            loss_models=tuple(zip(data["loss_messages"], map(float, entry["loss_models"]))),
            gradient_models=tuple((message, np.array(value, dtype=np.float64))
                                  for message, value in zip(data["gradient_messages"], entry["gradient_models"])),
        ))
    return cases


def _function(spec: Function):
    """The student's function ``spec.name`` from ``regularization.py``, or a CheckFailed."""
    module = sys.modules.get("regularization")
    if module is None:
        try:
            module = importlib.import_module("regularization")
        except Exception as error:
            raise CheckFailed(f"regularization.py could not be imported: {type(error).__name__}: {error}") from None
    fn = getattr(module, spec.name, None)
    if not callable(fn):
        raise CheckFailed(f"regularization.py defines no function {spec.name}.")
    return fn


def _run(spec: Function, part: str, fn, cases: list[Case]) -> None:
    if part == "loss":
        check_loss(spec, fn, cases)
    elif part == "gradient":
        check_gradient(spec, fn, cases)
    elif part == "bias_and_input":
        check_bias_and_input(spec, fn, cases)
    else:
        check_vectorized(spec, fn)


def _points(value: float) -> str:
    return f"{value:g} point" + ("" if value == 1 else "s")


def check(what: str) -> None:
    """Run the checks of a part (``"1.1"``, ``"2.1"``) or of one graded cell (``"l1_loss"``, ...).

    Prints one line per passed check and the message of each failed one;
    raises :class:`CheckFailed` with the failed checks' messages if any failed.
    """
    if what in PARTS:
        spec, parts = PARTS[what], list(CHECKS)
    else:
        exercise, _, part = what.partition("_")
        spec = PARTS.get({"l1": "1.1", "l2": "2.1"}.get(exercise, ""))
        if spec is None or part not in CHECKS:
            known = ", ".join([*PARTS, *(f"{e}_{p}" for e in ("l1", "l2") for p in CHECKS)])
            raise ValueError(f"check({what!r}): unknown part; use one of {known}")
        parts = [part]
    fn = _function(spec)
    cases = public_cases(spec.kind)
    failed = []
    for part in parts:
        label = f"{part.replace('_', ' ')} ({_points(CHECKS[part])})"
        try:
            _run(spec, part, fn, cases)
        except CheckFailed as failure:
            failed.append((label, str(failure)))
            print(f"FAILED  {label}: {failure}")
        else:
            print(f"ok      {label}: {spec.name} passes on {len(cases)} public inputs")
    if failed:
        summary = "; ".join(f"{label}: {message}" for label, message in failed)
        raise CheckFailed(f"{len(failed)} of {len(parts)} checks of {spec.name} failed. {summary}")
