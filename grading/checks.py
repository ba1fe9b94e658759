"""The graded checks of Assignment 2: the reference formulas, the hidden inputs and the grader's entry point.

:func:`run_check` picks the check of one graded cell by its grade id; the
notebook's graded cells call it under ``### BEGIN HIDDEN TESTS`` and
``grading.preprocessors.isolated_regrade`` calls it on the sandbox's results,
so the inputs used here never reach students. The checks themselves, and
their messages, are :mod:`grading.judge`'s: this module answers the hidden
inputs (:func:`answered`: the correct R and dW, and what each known mistake
gives) and hands them over. Students run the same checks on public inputs
(:mod:`grading.student_check`); this module is never released.

Messages say what is wrong in the student's terms ("the bias row of dW must be
zero") and never print the expected numbers for hidden inputs.

Contract of a regularizer under test: ``fn(W, reg) -> (R, dW)`` for ``W`` of
shape ``(D+1, K)`` whose last row is the bias; see ``regularization.py``.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np

from grading import judge
from grading.judge import (  # noqa: F401  (the checks' names, as the grader and the tests use them)
    EXAMPLE_W,
    MAX_LOOPS_SHOWN,
    Case,
    CheckFailed,
    Function,
    Regularizer_fn,
    call,
    describe,
    require_real_work,
)
from grading.judge import quiet as _quiet


@dataclass(frozen=True)
class Regularizer(Function):
    """The mathematical definition a student's function is checked against.

    ``kind`` is ``"L1"`` or ``"L2"``; ``name`` is the function's name in
    ``regularization.py``.
    """

    def loss(self, W: np.ndarray, reg: float) -> float:
        """Reference loss in float64 over all rows but the last."""
        weights = np.asarray(W, dtype=np.float64)[:-1]
        if self.kind == "L1":
            return reg * np.abs(weights).sum()
        return reg * (weights**2).sum()

    def gradient(self, W: np.ndarray, reg: float) -> np.ndarray:
        """Reference gradient in float64, zero bias row (sign(0) = 0 for L1)."""
        W = np.asarray(W, dtype=np.float64)
        dW = np.zeros_like(W)
        if self.kind == "L1":
            dW[:-1] = reg * np.sign(W[:-1])
        else:
            dW[:-1] = 2 * reg * W[:-1]
        return dW


L1 = Regularizer("L1", "L1_reg")
L2 = Regularizer("L2", "L2_reg")


def _matrix(shape, seed, dtype=np.float64, zeros=0.0, scale=5.0):
    """A reproducible random matrix, with a fraction ``zeros`` of exact zeros."""
    rng = np.random.default_rng(seed)
    W = rng.uniform(-scale, scale, size=shape)
    if zeros:
        W[rng.random(shape) < zeros] = 0.0
    return W.astype(dtype)


def hidden_cases() -> list[Case]:
    """The hidden inputs, as a list of :class:`Case` (float64 and float32).

    They cover other shapes (only a bias row, K = 1, large matrices), several
    strengths including 0 and the notebook's two visible ones (0.5 and 0.1),
    exact zeros in W and float32 input. ``what`` never repeats the shape or
    the strength; :func:`describe` adds both.
    """
    return [
        Case(EXAMPLE_W, 0.5, "the example matrix"),
        Case(EXAMPLE_W, 0.1, "the example matrix"),
        Case(EXAMPLE_W, 1.0, "the example matrix"),
        Case(EXAMPLE_W, 0.0, "the example matrix"),
        Case(EXAMPLE_W, 2.5, "the example matrix"),
        Case(_matrix((1, 4), 1), 0.7, "W with only a bias row"),
        Case(_matrix((6, 1), 2), 0.3, "W with one category"),
        Case(_matrix((2, 1), 3), 1.5, "a W with one weight"),
        Case(_matrix((11, 7), 4, zeros=0.3), 0.25, "W with exact zeros"),
        Case(_matrix((3073, 10), 5, scale=1e-2), 1e-3, "a large W"),
        Case(_matrix((201, 33), 6), 3.0, "a wide W"),
        Case(_matrix((50, 4), 7, dtype=np.float32), 0.8, "float32 W"),
        Case(_matrix((30, 5), 8, dtype=np.float32, zeros=0.2), 0.1, "float32 W with exact zeros"),
    ]


def _weights(W):
    """All rows but the last (the bias), as float64."""
    return np.asarray(W, dtype=np.float64)[:-1]


def _loss_mistakes(spec):
    """Known wrong formulas for R, as ``(formula(W, reg), message)`` pairs."""
    common = [
        (lambda W, reg: spec.loss(W, reg) / 2,
         "R is half of what it should be; this assignment uses no factor 1/2."),
        (lambda W, reg: spec.loss(W, reg) * 2, "R is twice what it should be."),
        (lambda W, reg: spec.loss(W, 1.0), "R is not multiplied by the regularization strength reg."),
        (lambda W, reg: spec.loss(W, 1.0) / 2,
         "R is not multiplied by reg and has a factor 1/2 that this assignment does not use."),
    ] + [
        (lambda W, reg, digits=digits: np.round(spec.loss(W, reg), digits),
         "R is rounded; return it at full precision.")
        for digits in range(4)
    ]
    if spec.kind == "L1":
        return common + [
            (lambda W, reg: reg * _weights(W).sum(), "R sums the weights, not their absolute values."),
            (lambda W, reg: reg * abs(_weights(W).sum()),
             "R takes the absolute value of the sum; it must sum the absolute values."),
            (lambda W, reg: L2.loss(W, reg), "R sums the squared weights, which is the L2 regularizer."),
            (lambda W, reg: reg * np.abs(_weights(W)).mean(), "R averages |W|; it must sum |W|."),
            (lambda W, reg: reg * np.abs(_weights(W)).sum(axis=0).max(initial=0.0),
             "R is the matrix 1-norm (the largest column sum); L1 regularization sums |W| over all entries."),
        ]
    return common + [
        (lambda W, reg: reg * np.sqrt((_weights(W) ** 2).sum()),
         "R is the Euclidean norm; L2 regularization uses its square (the sum of the squared weights)."),
        (lambda W, reg: reg * _weights(W).sum() ** 2,
         "R squares the sum of the weights; it must sum the squared weights."),
        (lambda W, reg: reg * _weights(W).sum(), "R sums the weights, not their squares."),
        (lambda W, reg: L1.loss(W, reg), "R sums |W|, which is the L1 regularizer."),
        (lambda W, reg: reg * (_weights(W) ** 2).mean(), "R averages the squared weights; it must sum them."),
    ]


def _gradient_mistakes(spec):
    """Known wrong formulas for dW, as ``(formula(W, reg), message)`` pairs."""
    common = [
        (lambda W, reg: spec.gradient(W, reg) / 2, "dW is half of what it should be."),
        (lambda W, reg: spec.gradient(W, reg) * 2, "dW is twice what it should be."),
        (lambda W, reg: spec.gradient(W, 1.0), "dW is not multiplied by the regularization strength reg."),
    ] + [
        (lambda W, reg, digits=digits: np.round(spec.gradient(W, reg), digits),
         "dW is rounded; return it at full precision.")
        for digits in range(4)
    ]
    if spec.kind == "L1":
        return common + [
            (lambda W, reg: L2.gradient(W, reg) / 2, "dW is reg * W; the derivative of |w| is sign(w)."),
        ]
    return common + [
        (lambda W, reg: spec.gradient(W, 1.0) / 2, "dW is missing both the factor 2 and reg."),
        (lambda W, reg: L1.gradient(W, reg), "dW is reg * sign(W), which is the L1 gradient."),
    ]


def answered(spec: Regularizer, cases: list[Case]) -> list[Case]:
    """``cases`` with their answers: the correct R and dW and what each known mistake returns.

    R and the wrong formulas for R are computed for W with its bias row set
    to 0 (the loss check's input), dW and the wrong formulas for dW for W
    itself. See :class:`grading.judge.Case`.
    """
    result = []
    for case in cases:
        without_bias = case.W.copy()
        without_bias[-1] = 0
        with _quiet():
            result.append(dataclasses.replace(
                case,
                R=float(spec.loss(without_bias, case.reg)),
                dW=spec.gradient(case.W, case.reg),
                loss_models=tuple((message, float(formula(without_bias, case.reg)))
                                  for formula, message in _loss_mistakes(spec)),
                gradient_models=tuple((message, np.asarray(formula(case.W, case.reg), dtype=np.float64))
                                      for formula, message in _gradient_mistakes(spec)),
            ))
    return result


@functools.cache
def _hidden(kind: str) -> tuple[Case, ...]:
    """The hidden cases answered for ``kind``, computed once per process."""
    return tuple(answered(REGULARIZERS[kind.lower()], hidden_cases()))


def _cases(spec, cases):
    return answered(spec, cases) if cases is not None else list(_hidden(spec.kind))


def check_loss(spec: Regularizer, fn: Regularizer_fn, cases: list[Case] | None = None) -> None:
    """:func:`grading.judge.check_loss` on ``cases`` (default: the hidden cases), answered here."""
    judge.check_loss(spec, fn, _cases(spec, cases))


def check_gradient(spec: Regularizer, fn: Regularizer_fn, cases: list[Case] | None = None) -> None:
    """:func:`grading.judge.check_gradient` on ``cases`` (default: the hidden cases), answered here."""
    judge.check_gradient(spec, fn, _cases(spec, cases))


def check_bias_and_input(spec: Regularizer, fn: Regularizer_fn, cases: list[Case] | None = None) -> None:
    """:func:`grading.judge.check_bias_and_input` on ``cases`` (default: the hidden cases)."""
    judge.check_bias_and_input(spec, fn, cases if cases is not None else hidden_cases())


def check_vectorized(spec: Regularizer, fn: Regularizer_fn, source: str | None = None) -> None:
    """:func:`grading.judge.check_vectorized`: real work and no Python loops in ``source``."""
    judge.check_vectorized(spec, fn, source)


REGULARIZERS = {"l1": L1, "l2": L2}
PARTS = {
    "loss": check_loss,
    "gradient": check_gradient,
    "bias_and_input": check_bias_and_input,
    "vectorized": check_vectorized,
}
GRADE_IDS = [f"{exercise}_{part}" for exercise in REGULARIZERS for part in PARTS]


def run_check(grade_id: str, fn: Regularizer_fn, source: str | None = None) -> None:
    """Run the check of the graded cell ``grade_id`` (e.g. ``"l2_gradient"``) on ``fn``.

    This is the one entry point of the notebook's hidden tests and of the
    isolated re-grade, so both grade each cell with the same check.
    ``source`` is the module's text for the vectorization check (read from
    ``fn``'s file when None).
    """
    exercise, part = grade_id.split("_", 1)
    if part == "vectorized":
        return check_vectorized(REGULARIZERS[exercise], fn, source)
    return PARTS[part](REGULARIZERS[exercise], fn)
