"""The graded checks of Assignment 2, shared by the notebook, the isolated re-grade and the tests.

Each public ``check_*`` function takes a student's regularizer (``L1_reg`` or
``L2_reg``) and either returns ``None`` or raises :class:`CheckFailed` with a
message written for the student. :func:`run_check` picks the check of one
graded cell by its grade id; the notebook's graded cells call it under
``### BEGIN HIDDEN TESTS`` and ``grading.preprocessors.isolated_regrade`` calls it on the
sandbox's results, so the inputs used here never reach students.

Messages say what is wrong in the student's terms ("the bias row of dW must be
zero") and never print the expected numbers for hidden inputs.

Contract of a regularizer under test: ``fn(W, reg) -> (R, dW)`` for ``W`` of
shape ``(D+1, K)`` whose last row is the bias; see ``regularization.py``.
"""

from __future__ import annotations

import contextlib
import inspect
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from grading.loops import find_loops
from grading.source import Unreadable, module_text

#: A student's regularizer: ``fn(W, reg) -> (R, dW)``.
Regularizer_fn = Callable[[np.ndarray, float], tuple]


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


def describe(case: Case) -> str:
    """``"the example matrix (shape (4, 3), reg = 0.5)"``: a case as messages name it."""
    return f"{case.what} (shape {case.W.shape}, reg = {case.reg:g})"


def _tolerance(W):
    """(rtol, atol scale) that fit the input's precision."""
    if np.asarray(W).dtype == np.float32:
        return 1e-4, 1e-5
    return 1e-7, 1e-10


@contextlib.contextmanager
def _quiet():
    """Silence warnings and NumPy floating-point reports.

    In a notebook they would reach stderr, which nbgrader scores as a failed
    cell; the checks report problems by raising instead.
    """
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def call(fn: Regularizer_fn, W: np.ndarray, reg: float, argument: np.ndarray | None = None) -> tuple:
    """Call ``fn(argument, reg)`` and return ``(R, dW)``.

    ``argument`` defaults to a copy of ``W``; pass your own array to see
    afterwards whether the function changed it. Warnings are silenced; an
    exception or a malformed return value becomes a :class:`CheckFailed`
    that names the input.
    """
    name = getattr(fn, "__name__", "the function")
    if argument is None:
        argument = W.copy()
    try:
        with _quiet():
            result = fn(argument, reg)
    except NotImplementedError:
        raise CheckFailed(f"{name} is not implemented yet.") from None
    except Exception as error:
        raise CheckFailed(
            f"{name} raised {type(error).__name__}: {error} "
            f"(for W of shape {W.shape}, dtype {W.dtype}, reg = {reg}). "
            "It must work for every W of shape (D+1, K) and every reg >= 0."
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
    """Whether ``actual`` matches ``desired`` within W's tolerance (NaN matches NaN)."""
    rtol, atol = _tolerance(W)
    with _quiet():
        scale = max(1.0, float(np.nanmax(np.abs(desired), initial=0.0)))
        return np.allclose(actual, desired, rtol=rtol, atol=atol * scale, equal_nan=True)


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


def _diagnose(mistakes, results, compare):
    """The message of the first mistake that explains the student's output on every case."""
    with _quiet():
        models = [[formula(case.W, case.reg) for case, _ in results] for formula, _ in mistakes]
    for (_, message), model in zip(mistakes, models):
        if all(compare(value, expected, case) for (case, value), expected in zip(results, model)):
            return message
    return None


def _outputs(fn, cases, pick):
    """Run ``fn`` on every case; return ``(results, first_error)``.

    ``results`` pairs each case that ran with ``pick(R, dW, case)``;
    ``first_error`` is the CheckFailed of the first case that raised (or
    None). Grading every case before reporting lets a wrong formula be
    named even when the function also crashes on some other input.
    """
    results, first_error = [], None
    for case in cases:
        try:
            R, dW = call(fn, case.W, case.reg)
            results.append((case, pick(R, dW, case)))
        except CheckFailed as error:
            first_error = first_error or error
    return results, first_error


def _without_bias(cases):
    """The cases with the bias row set to 0, so that R and dW's weight rows do not depend on it."""
    result = []
    for case in cases:
        W = case.W.copy()
        W[-1] = 0
        result.append(Case(W, case.reg, case.what))
    return result


def _precision(actual, desired, W):
    """Whether ``actual`` agrees with ``desired`` only to float32's precision (a precision loss)."""
    with _quiet():
        scale = max(1.0, float(np.nanmax(np.abs(desired), initial=0.0)))
        return np.allclose(actual, desired, rtol=1e-4, atol=1e-6 * scale)


PRECISION_HINT = ("it agrees to about 4 to 7 significant digits, as if computed in float32 "
                  "(a cast such as astype(np.float32) or a float32 array): compute at W's precision.")


def _only_the_example_shape(failing, cases):
    """Whether exactly the cases of another shape than the example's fail (a hard-coded shape)."""
    bad = {id(case) for case in failing}
    return bool(bad) and all((id(case) in bad) == (case.W.shape != EXAMPLE_W.shape) for case in cases)


SHAPE_HINT = ("right for W of the example's shape (4, 3) but not for other shapes: nothing in "
              "the function may depend on the example's size.")


def check_loss(spec: Regularizer, fn: Regularizer_fn, cases: list[Case] | None = None) -> None:
    """Check that ``fn`` returns the correct loss R on every case.

    The bias row of every input is set to 0 first: whether R leaves out the
    bias is :func:`check_bias_and_input`'s business, so that mistake costs
    points in one cell only. Raises CheckFailed naming the first case whose
    R is wrong and, where the student's outputs on all cases fit a known
    mistake (or a loss of precision), what it is; else the first exception
    the function raised.
    """
    cases = _without_bias(cases or hidden_cases())
    results, error = _outputs(fn, cases, lambda R, dW, case: _scalar(R, spec.name))
    failing = [(case, value) for case, value in results
               if np.isnan(value) or not _close(value, spec.loss(case.W, case.reg), case.W)]
    ran = {id(case) for case, _ in results}
    crashed = [case for case in cases if id(case) not in ran]
    if (failing or crashed) and _only_the_example_shape([c for c, _ in failing] + crashed, cases):
        case = (failing[0][0] if failing else crashed[0])
        raise CheckFailed(f"{spec.name}: R is wrong for {describe(case)}. R is " + SHAPE_HINT)
    if failing:
        case, value = failing[0]
        reason = _diagnose(_loss_mistakes(spec), results, lambda a, b, case: _close(a, b, case.W))
        if reason is None and all(_precision(v, spec.loss(c.W, c.reg), c.W) for c, v in results):
            reason = "R is close but not exact: " + PRECISION_HINT
        wrong = "NaN" if np.isnan(value) else "wrong"
        raise CheckFailed(
            f"{spec.name}: R is {wrong} for {describe(case)}. " + (reason or "Check the formula for R.")
        )
    if error:
        raise error


def _wrong_entries(spec, dW, case, reference=None):
    """Where the weight rows of ``dW`` differ from ``reference`` (default: the correct gradient).

    The bias row (the last) is never marked: it is
    :func:`check_bias_and_input`'s business. For L1, an entry where W is
    exactly 0 is right whenever it lies in [-reg, reg].
    """
    W, reg = case.W, case.reg
    if reference is None:
        reference = spec.gradient(W, reg)
    rtol, atol = _tolerance(W)
    with _quiet():
        wrong = ~(np.abs(dW - reference) <= atol * max(1.0, abs(reg)) + rtol * np.abs(reference))
    if spec.kind == "L1":
        at_zero = np.zeros(W.shape, dtype=bool)
        at_zero[:-1] = W[:-1] == 0
        in_range = np.abs(dW) <= abs(reg) * (1 + rtol) + atol
        wrong[at_zero] = ~in_range[at_zero]
    wrong[-1] = False
    return wrong


def _shape_mistake(dW, W):
    """What is wrong with the shape of ``dW`` (which differs from W's), in the student's terms."""
    rows, columns = W.shape
    if dW.ndim == 0:
        return "dW is a single number; it must be an array of W's shape."
    if dW.shape == (rows - 1, columns):
        return (f"dW has shape {dW.shape}, one row fewer than W: the bias row is missing. "
                "dW must have W's shape, with zeros in its last row.")
    if dW.ndim == 1 and dW.size == W.size:
        return f"dW is flattened (shape {dW.shape}); it must have W's shape."
    if dW.shape == (columns, rows) and rows != columns:
        return f"dW is transposed (shape {dW.shape}); it must have W's shape."
    return f"dW must have W's shape, but has shape {dW.shape}."


def _checked_gradient(spec, dW, case):
    """``dW`` as a float array, after the checks whose message says it all (shape, NaN)."""
    W = case.W
    dW = _as_array(dW, spec.name)
    if dW.shape != W.shape:
        raise CheckFailed(f"{spec.name}, for {describe(case)}: {_shape_mistake(dW, W)}")
    nan = np.isnan(dW[:-1])
    if nan.any():
        where = " where W is 0" if np.all(W[:-1][nan] == 0) else ""
        raise CheckFailed(f"{spec.name}: dW has NaN{where} (for {describe(case)}).")
    return dW


def check_gradient(spec: Regularizer, fn: Regularizer_fn, cases: list[Case] | None = None) -> None:
    """Check that ``fn`` returns the correct gradient dW on every case.

    dW must have W's shape (checked first, with the shape mistake named),
    no NaN and the correct values in its weight rows; for L1 where a weight
    is exactly 0, any value in [-reg, reg]. The bias row is
    :func:`check_bias_and_input`'s business.
    """
    cases = cases or hidden_cases()
    results, error = _outputs(fn, cases, lambda R, dW, case: dW)
    ran = {id(case) for case, _ in results}
    off = [case for case in cases if id(case) not in ran]
    for case, dW in results:
        try:
            if _wrong_entries(spec, _checked_gradient(spec, dW, case), case).any():
                off.append(case)
        except CheckFailed:
            off.append(case)
    if off and _only_the_example_shape(off, cases):
        raise CheckFailed(f"{spec.name}: dW is wrong for {describe(off[0])}. dW is " + SHAPE_HINT)
    results = [(case, _checked_gradient(spec, dW, case)) for case, dW in results]
    failing = [(case, wrong) for case, wrong in
               ((case, _wrong_entries(spec, dW, case)) for case, dW in results) if wrong.any()]
    if failing:
        if spec.kind == "L1" and all(np.all(case.W[wrong] == 0) for case, wrong in failing):
            raise CheckFailed(
                f"{spec.name}: where W is exactly 0, dW must lie in [-reg, reg] (for {describe(failing[0][0])})."
            )
        reason = _diagnose(
            _gradient_mistakes(spec), results,
            lambda dW, model, case: not _wrong_entries(spec, dW, case, model).any(),
        )
        if reason is None and all(_precision(dW[:-1], spec.gradient(c.W, c.reg)[:-1], c.W)
                                  for c, dW in results):
            reason = "dW is close but not exact: " + PRECISION_HINT
        case, wrong = failing[0]
        row, col = np.argwhere(wrong)[0]
        raise CheckFailed(
            f"{spec.name}: dW is wrong for {describe(case)}: "
            f"{int(wrong.sum())} of {wrong[:-1].size} weights differ, the first at row {row}, column {col}. "
            + (reason or "Check the formula for dW.")
        )
    if error:
        raise error


def _as_array(value, name):
    """``value`` as a float64 array, or a CheckFailed if it holds no numbers."""
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise CheckFailed(f"{name}: R and dW must be numbers and NumPy arrays of numbers.") from None


def _same_result(first, second):
    """Whether two ``(R, dW)`` results hold the same numbers (or are the same non-numbers)."""
    for a, b in zip(first, second):
        try:
            with _quiet():
                if not np.array_equal(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64),
                                      equal_nan=True):
                    return False
        except (TypeError, ValueError):
            if type(a) is not type(b):
                return False
    return True


def require_real_work(spec: Regularizer, fn: Regularizer_fn) -> None:
    """CheckFailed unless ``fn``'s result depends on the weights at all.

    The example matrix and a matrix with other weights (the same bias row)
    must give different results: a stub such as ``return 0.0,
    np.zeros_like(W)`` or a function that returns the example's answer for
    every input computes nothing, and the checks that build on a working
    function (bias and input, vectorized) give it no points.
    """
    other = EXAMPLE_W.copy()
    other[:-1] = -2.0 * EXAMPLE_W[:-1] + 1.0
    first = call(fn, EXAMPLE_W, 0.5)
    second = call(fn, other, 0.5)
    if _same_result(first, second):
        raise CheckFailed(
            f"{spec.name} returns the same R and dW whatever the weights are, so it does not compute "
            "the regularizer yet; this check gives points once it does."
        )


def check_bias_and_input(spec: Regularizer, fn: Regularizer_fn, cases: list[Case] | None = None) -> None:
    """Check the bias handling and that the caller's W is left unchanged.

    Graded only for a function that does real work (:func:`require_real_work`).
    Then, on every case where the function runs (crashes are the loss and
    gradient checks' business; the example case must run): W holds the same
    values after the call, R does not change when the bias row does, and,
    where dW has W's shape (a wrong shape is the gradient check's business),
    its bias row is zero.
    """
    require_real_work(spec, fn)
    for case in cases or hidden_cases():
        W, reg = case.W, case.reg
        argument = W.copy()
        shifted = W.copy()
        shifted[-1] += 100.0
        try:
            R, dW = call(fn, W, reg, argument)
            R_shifted, _ = call(fn, shifted, reg)
        except CheckFailed:
            if case.W is EXAMPLE_W:
                raise
            continue
        if not np.array_equal(argument, W):
            raise CheckFailed(
                f"{spec.name}: your function changed W; it must leave the caller's W unchanged "
                "(work on a copy)."
            )
        try:
            dW = _as_array(dW, spec.name)
        except CheckFailed:
            dW = None  # not numbers: the gradient check's business
        if dW is not None and dW.shape == W.shape and not np.all(dW[-1] == 0):
            raise CheckFailed(f"{spec.name}: the bias row of dW (its last row) must be zero.")
        try:
            changed = not _close(_as_array(R_shifted, spec.name), _as_array(R, spec.name), W)
        except (CheckFailed, ValueError):
            continue  # R's type and shape are the loss check's business
        if changed:
            raise CheckFailed(
                f"{spec.name}: R changes when the bias row changes; R includes the bias row, "
                "it must be computed over the weights only (all rows but the last)."
            )


#: Loops named in the message of the vectorization check; the rest are counted.
MAX_LOOPS_SHOWN = 10


def check_vectorized(spec: Regularizer, fn: Regularizer_fn, source: str | None = None) -> None:
    """Check that ``fn`` does real work and uses no Python loops.

    Graded only for a function that does real work (:func:`require_real_work`);
    whether its numbers are right is the other checks' business. The loop
    check reads ``source``, the text of the module that defines ``fn`` as
    Python reads it (read from ``fn``'s source file with
    :func:`grading.source.module_text` when None); see :mod:`grading.loops`
    for what counts as a loop. Source it cannot read gets no points.
    """
    require_real_work(spec, fn)
    try:
        if source is None:
            try:
                with open(inspect.getsourcefile(fn), "rb") as handle:
                    source = module_text(handle.read())
            except (TypeError, OSError):
                raise CheckFailed(f"{spec.name} must be defined in regularization.py.") from None
        loops = find_loops(source, spec.name)
    except (Unreadable, SyntaxError) as error:
        raise CheckFailed(f"{spec.name}: the loop check could not read the module, so this part gets no "
                          f"points: {error}") from None
    if loops:
        shown = loops[:MAX_LOOPS_SHOWN] + ([f"and {len(loops) - MAX_LOOPS_SHOWN} more"]
                                           if len(loops) > MAX_LOOPS_SHOWN else [])
        raise CheckFailed(f"{spec.name}: loops are not allowed: " + "; ".join(shown) + ".")


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
