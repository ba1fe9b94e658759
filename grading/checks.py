"""The graded checks of Assignment 2, shared by the notebook and the test suite.

Each public ``check_*`` function takes a student's regularizer (``L1_reg`` or
``L2_reg``) and either returns ``None`` or raises :class:`CheckFailed` with a
message written for the student. The notebook's graded cells call them under
``### BEGIN HIDDEN TESTS``, so the inputs used here never reach students.

Messages say what is wrong in the student's terms ("the bias row of dW must be
zero") and never print the expected numbers for hidden inputs.

Contract of a regularizer under test: ``fn(W, reg) -> (R, dW)`` for ``W`` of
shape ``(D+1, K)`` whose last row is the bias; see ``regularization.py``.
"""

import inspect
import warnings
from dataclasses import dataclass

import numpy as np

from grading.loops import find_loops


class CheckFailed(AssertionError):
    """A graded check failed; the message is meant for the student."""


@dataclass(frozen=True)
class Regularizer:
    """The mathematical definition a student's function is checked against.

    ``kind`` is ``"L1"`` or ``"L2"``; ``name`` is the function's name in
    ``regularization.py``.
    """

    kind: str
    name: str

    def loss(self, W, reg):
        """Reference loss in float64 over all rows but the last."""
        weights = np.asarray(W, dtype=np.float64)[:-1]
        if self.kind == "L1":
            return reg * np.abs(weights).sum()
        return reg * (weights**2).sum()

    def gradient(self, W, reg):
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


# The example matrix of the notebook's visible tests.
EXAMPLE_W = np.array([
    [1.2, 3.6, 8.1],
    [4.0, -1.0, 3.6],
    [-9.6, 2.5, -6.3],
    [3.5, -7.2, -2.0],
])


@dataclass(frozen=True)
class Case:
    """One hidden input: a matrix, a strength and a short description."""

    W: np.ndarray
    reg: float
    what: str


def _matrix(shape, seed, dtype=np.float64, zeros=0.0, scale=5.0):
    """A reproducible random matrix, with a fraction ``zeros`` of exact zeros."""
    rng = np.random.default_rng(seed)
    W = rng.uniform(-scale, scale, size=shape)
    if zeros:
        W[rng.random(shape) < zeros] = 0.0
    return W.astype(dtype)


def hidden_cases():
    """The hidden inputs, as a list of :class:`Case` (float64 and float32).

    They cover other shapes (only a bias row, K = 1, large matrices), several
    strengths including 0, exact zeros in W and float32 input.
    """
    return [
        Case(EXAMPLE_W, 0.5, "the example matrix with reg = 0.5"),
        Case(EXAMPLE_W, 1.0, "the example matrix with reg = 1"),
        Case(EXAMPLE_W, 0.0, "the example matrix with reg = 0"),
        Case(EXAMPLE_W, 2.5, "the example matrix with reg = 2.5"),
        Case(_matrix((1, 4), 1), 0.7, "W with only a bias row (D = 0)"),
        Case(_matrix((6, 1), 2), 0.3, "W with one category (K = 1)"),
        Case(_matrix((2, 1), 3), 1.5, "W of shape (2, 1)"),
        Case(_matrix((11, 7), 4, zeros=0.3), 0.25, "W with exact zeros"),
        Case(_matrix((3073, 10), 5, scale=1e-2), 1e-3, "a large W of shape (3073, 10)"),
        Case(_matrix((201, 33), 6), 3.0, "W of shape (201, 33) with reg = 3"),
        Case(_matrix((50, 4), 7, dtype=np.float32), 0.8, "float32 W"),
        Case(_matrix((30, 5), 8, dtype=np.float32, zeros=0.2), 0.1, "float32 W with exact zeros"),
    ]


def _tolerance(W):
    """(rtol, atol scale) that fit the input's precision."""
    if np.asarray(W).dtype == np.float32:
        return 1e-4, 1e-5
    return 1e-7, 1e-10


def call(fn, W, reg, argument=None):
    """Call ``fn(argument, reg)`` and return ``(R, dW)``.

    ``argument`` defaults to a copy of ``W``; pass your own array to see
    afterwards whether the function changed it. Warnings are silenced (they
    would reach stderr, which nbgrader scores as a failure); an exception or
    a malformed return value becomes a :class:`CheckFailed` that names the
    input.
    """
    name = getattr(fn, "__name__", "the function")
    if argument is None:
        argument = W.copy()
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = fn(argument, reg)
    except NotImplementedError:
        raise CheckFailed(f"{name} is not implemented yet.") from None
    except Exception as error:
        raise CheckFailed(
            f"{name} raised {type(error).__name__}: {error} "
            f"(for W of shape {W.shape}, dtype {W.dtype}, reg = {reg})."
        ) from None
    if not isinstance(result, tuple) or len(result) != 2:
        raise CheckFailed(f"{name} must return a tuple (R, dW), got {type(result).__name__}.")
    return result


def _scalar(R, name):
    """``R`` as a Python float, or a CheckFailed if it is not a single number."""
    if np.ndim(R) != 0:
        raise CheckFailed(
            f"{name}: R must be a single number (a scalar), got an array of shape {np.shape(R)}."
        )
    try:
        value = complex(np.asarray(R)[()])
    except (TypeError, ValueError):
        raise CheckFailed(f"{name}: R must be a number, got {type(R).__name__}.") from None
    if value.imag != 0:
        raise CheckFailed(f"{name}: R must be a real number.")
    return value.real


def _close(actual, desired, W):
    rtol, atol = _tolerance(W)
    scale = max(1.0, float(np.max(np.abs(desired), initial=0.0)))
    return np.allclose(actual, desired, rtol=rtol, atol=atol * scale)


def _loss_diagnosis(spec, R, W, reg):
    """Name the mistake behind a wrong loss, if it is a known one."""
    weights = np.asarray(W, dtype=np.float64)
    ref = spec.loss(W, reg)
    candidates = [
        (spec.loss(np.vstack([weights, np.zeros((1, W.shape[1]))]), reg),
         "R includes the bias row; it must be computed over the weights only (all rows but the last)."),
        (ref / 2, "R is half of what it should be."),
        (ref * 2, "R is twice what it should be."),
    ]
    if reg not in (0.0, 1.0):
        candidates.append((ref / reg, "R is not multiplied by the regularization strength reg."))
        candidates.append((ref / reg / 2, "R is neither multiplied by reg nor by the right factor."))
    if spec.kind == "L2":
        candidates.append((reg * np.sqrt((weights[:-1] ** 2).sum()),
                           "R uses the Euclidean norm; L2 regularization uses the squared norm "
                           "(the sum of the squared weights)."))
        candidates.append((reg * np.abs(weights[:-1]).sum(), "R sums |W|, which is the L1 regularizer."))
    if spec.kind == "L1":
        candidates.append((reg * weights[:-1].sum(), "R sums the weights, not their absolute values."))
        candidates.append((reg * (weights[:-1] ** 2).sum(), "R sums W**2, which is the L2 regularizer."))
        if weights.shape[0] > 1:
            candidates.append((reg * np.linalg.norm(weights[:-1], 1),
                               "R uses the matrix 1-norm (the largest column sum); L1 "
                               "regularization sums |W| over all entries."))
    for value, message in candidates:
        if not _close(value, ref, W) and _close(R, value, W):
            return message
    return None


def check_loss(spec, fn, cases=None):
    """Check that ``fn`` returns the correct loss R on every case.

    Raises CheckFailed naming the first case that fails and, where it is a
    known mistake, what the mistake is.
    """
    for case in cases or hidden_cases():
        R, _ = call(fn, case.W, case.reg)
        value = _scalar(R, spec.name)
        if np.isnan(value):
            raise CheckFailed(f"{spec.name}: R is NaN for {case.what}.")
        if _close(value, spec.loss(case.W, case.reg), case.W):
            continue
        reason = _loss_diagnosis(spec, value, case.W, case.reg)
        raise CheckFailed(
            f"{spec.name}: R is wrong for {case.what} (W of shape {case.W.shape}). "
            + (reason or "Check the formula for R.")
        )


def _gradient_diagnosis(spec, dW, W, reg):
    ref = spec.gradient(W, reg)
    candidates = [(ref / 2, "dW is half of what it should be."),
                  (ref * 2, "dW is twice what it should be.")]
    if reg not in (0.0, 1.0):
        candidates.append((ref / reg, "dW is not multiplied by the regularization strength reg."))
    if spec.kind == "L2":
        candidates.append((ref / (2 * reg) if reg else ref, "dW is missing both the factor 2 and reg."))
    for value, message in candidates:
        if not _close(value, ref, W) and _close(dW, value, W):
            return message
    return None


def _gradient_errors(spec, dW, W, reg):
    """Where ``dW`` is wrong, as a boolean array (L1: subgradients allowed at 0)."""
    ref = spec.gradient(W, reg)
    rtol, atol = _tolerance(W)
    tol = atol * max(1.0, abs(reg)) + rtol * np.abs(ref)
    wrong = ~(np.abs(dW - ref) <= tol)
    if spec.kind == "L1":
        at_zero = np.zeros(W.shape, dtype=bool)
        at_zero[:-1] = W[:-1] == 0
        in_range = np.abs(dW) <= abs(reg) * (1 + rtol) + atol
        wrong[at_zero] = ~in_range[at_zero]
    return wrong


def check_gradient(spec, fn, cases=None):
    """Check that ``fn`` returns the correct gradient dW on every case.

    dW must have W's shape, no NaN, a zero bias row and, for L1 where a
    weight is exactly 0, a value in [-reg, reg].
    """
    for case in cases or hidden_cases():
        W, reg = case.W, case.reg
        _, dW = call(fn, W, reg)
        dW = _as_array(dW, spec.name)
        if dW.shape != W.shape:
            raise CheckFailed(
                f"{spec.name}: dW must have the shape of W, {W.shape}, but has shape {dW.shape} "
                f"(for {case.what})."
            )
        nan = np.isnan(dW)
        if nan.any():
            where = " where W is 0" if np.all(W[nan] == 0) else ""
            raise CheckFailed(f"{spec.name}: dW has NaN{where} (for {case.what}).")
        if np.any(dW[-1] != 0):
            raise CheckFailed(f"{spec.name}: the bias row of dW (its last row) must be zero.")
        wrong = _gradient_errors(spec, dW, W, reg)
        if not wrong.any():
            continue
        if spec.kind == "L1" and np.any(wrong[:-1] & (W[:-1] == 0)) and not np.any(wrong[:-1] & (W[:-1] != 0)):
            raise CheckFailed(
                f"{spec.name}: where W is exactly 0, dW must lie in [-reg, reg] (for {case.what})."
            )
        reason = _gradient_diagnosis(spec, dW, W, reg)
        row, col = np.argwhere(wrong)[0]
        raise CheckFailed(
            f"{spec.name}: dW is wrong for {case.what} (W of shape {W.shape}): "
            f"{int(wrong.sum())} of {wrong.size} entries differ, the first at row {row}, column {col}. "
            + (reason or "Check the formula for dW.")
        )


def _as_array(dW, name):
    try:
        dW = np.asarray(dW, dtype=np.float64)
    except (TypeError, ValueError):
        raise CheckFailed(f"{name}: dW must be a NumPy array of numbers.") from None
    return dW


def check_bias_and_input(spec, fn, cases=None):
    """Check the bias handling and that the caller's W is left unchanged.

    The bias row must not change R, dW's bias row must be zero, dW must
    have W's shape, and W must hold the same values after the call.
    """
    for case in cases or hidden_cases():
        W, reg = case.W, case.reg
        argument = W.copy()
        R, dW = call(fn, W, reg, argument)
        if not np.array_equal(argument, W):
            raise CheckFailed(
                f"{spec.name}: your function changed W; it must leave the caller's W unchanged "
                "(work on a copy)."
            )
        dW = _as_array(dW, spec.name)
        if dW.shape != W.shape:
            raise CheckFailed(f"{spec.name}: dW must have the shape of W, {W.shape}, but has shape {dW.shape}.")
        if np.any(dW[-1] != 0):
            raise CheckFailed(f"{spec.name}: the bias row of dW (its last row) must be zero.")
        shifted = W.copy()
        shifted[-1] += 100.0
        R_shifted, _ = call(fn, shifted, reg)
        if not _close(_scalar(R_shifted, spec.name), _scalar(R, spec.name), W):
            raise CheckFailed(
                f"{spec.name}: R changes when the bias row changes; R includes the bias row, "
                "it must be computed over the weights only."
            )


def check_vectorized(spec, fn):
    """Check that ``fn`` gives the example's result and uses no Python loops.

    The loop check reads the module that defines ``fn``: the function and the
    module's functions it calls must contain no for/while loops,
    comprehensions or looping helpers (np.vectorize, map, ...). Points for
    vectorization are given only to a function that works on the example.
    """
    check_loss(spec, fn, [Case(EXAMPLE_W, 0.5, "the example matrix")])
    try:
        path = inspect.getsourcefile(fn)
        with open(path, encoding="utf-8") as handle:
            source = handle.read()
    except (TypeError, OSError):
        raise CheckFailed(f"{spec.name} must be defined in regularization.py.") from None
    loops = find_loops(source, spec.name)
    if loops:
        raise CheckFailed(f"{spec.name}: loops are not allowed: " + "; ".join(loops) + ".")
