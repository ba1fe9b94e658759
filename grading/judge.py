"""How a student's regularizer is judged: the four checks and their messages, on answered inputs.

This module holds the logic of the graded checks and nothing of the answers:
no formula for R or dW, no hidden input. Every input arrives as a
:class:`Case` that already carries its correct ``R`` and ``dW`` and what
each known mistake would return on it (``loss_models``, ``gradient_models``).

- The grader (:mod:`grading.checks`) answers its hidden inputs from the
  reference formulas and calls these checks.
- Students get this file in ``release/assignment2/selfcheck/``
  (:mod:`grading.student_check`), with public inputs whose answers were
  computed ahead (``grading/public_cases.json``), so they see the grader's
  own messages before they submit.

Each ``check_*`` function takes a :class:`Function` (which regularizer, by
what name), the student's function ``fn(W, reg) -> (R, dW)`` and the
answered cases, and either returns ``None`` or raises :class:`CheckFailed`
with a message written for the student. Messages never print expected
numbers. ``fn`` may return its two results as a tuple, a list or a named
tuple; anything else is refused with a message.

Contract of a regularizer under test: ``fn(W, reg) -> (R, dW)`` for ``W`` of
shape ``(D+1, K)`` whose last row is the bias; see ``regularization.py``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from .loops import find_loops
from .source import Unreadable, module_text

#: A student's regularizer: ``fn(W, reg) -> (R, dW)``.
Regularizer_fn = Callable[[np.ndarray, float], tuple]


class CheckFailed(AssertionError):
    """A graded check failed; the message is meant for the student."""


@dataclass(frozen=True)
class Function:
    """The function under test: ``kind`` is ``"L1"`` or ``"L2"``, ``name`` its name in ``regularization.py``."""

    kind: str
    name: str


@dataclass(frozen=True)
class Case:
    """One input: a matrix ``W``, a strength ``reg``, a short description, and its answers.

    ``R`` is the correct loss (of W with its bias row set to 0, which is the
    same number), ``dW`` the correct gradient (bias row zero).
    ``loss_models`` pairs each known wrong formula for R with the number it
    gives for W with its bias row set to 0; ``gradient_models`` each known
    wrong formula for dW with the array it gives for W. A case without
    answers (``R`` None) can only be used by the checks that need none
    (:func:`check_bias_and_input`).
    """

    W: np.ndarray
    reg: float
    what: str
    R: float | None = None
    dW: np.ndarray | None = None
    loss_models: tuple[tuple[str, float], ...] = ()
    gradient_models: tuple[tuple[str, np.ndarray], ...] = ()


# The example matrix of the notebook's visible tests.
EXAMPLE_W = np.array([
    [1.2, 3.6, 8.1],
    [4.0, -1.0, 3.6],
    [-9.6, 2.5, -6.3],
    [3.5, -7.2, -2.0],
])


def describe(case: Case) -> str:
    """``"the example matrix (shape (4, 3), reg = 0.5)"``: a case as messages name it."""
    return f"{case.what} (shape {case.W.shape}, reg = {case.reg:g})"


def _tolerance(W):
    """(rtol, atol scale) that fit the input's precision."""
    if np.asarray(W).dtype == np.float32:
        return 1e-4, 1e-5
    return 1e-7, 1e-10


@contextlib.contextmanager
def quiet() -> Iterator[None]:
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
    that names the input. Two results returned as a tuple, a list or a named
    tuple are all accepted.
    """
    name = getattr(fn, "__name__", "the function")
    if argument is None:
        argument = W.copy()
    try:
        with quiet():
            result = fn(argument, reg)
    except NotImplementedError:
        raise CheckFailed(f"{name} is not implemented yet.") from None
    except Exception as error:
        raise CheckFailed(
            f"{name} raised {type(error).__name__}: {error} "
            f"(for W of shape {W.shape}, dtype {W.dtype}, reg = {reg}). "
            "It must work for every W of shape (D+1, K) and every reg >= 0."
        ) from None
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        count = f" of {len(result)} items" if isinstance(result, (tuple, list)) else ""
        raise CheckFailed(f"{name} must return two results, R and dW (return R, dW), "
                          f"got {type(result).__name__}{count}.")
    return result[0], result[1]


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
    with quiet():
        scale = max(1.0, float(np.nanmax(np.abs(desired), initial=0.0)))
        return np.allclose(actual, desired, rtol=rtol, atol=atol * scale, equal_nan=True)


def _diagnose(results, models, compare):
    """The message of the first known mistake that explains the student's output on every case.

    ``results`` pairs each case with the student's value; ``models(case)``
    is the case's ``(message, value)`` list, in the same order for every case.
    """
    if not results:
        return None
    for index, (message, _) in enumerate(models(results[0][0])):
        if all(compare(value, models(case)[index][1], case) for case, value in results):
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
    """The cases with the bias row set to 0 (answers kept), so R does not depend on the bias."""
    result = []
    for case in cases:
        W = case.W.copy()
        W[-1] = 0
        result.append(dataclasses.replace(case, W=W))
    return result


def _precision(actual, desired, W):
    """Whether ``actual`` agrees with ``desired`` only to float32's precision (a precision loss)."""
    with quiet():
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


def _answered(cases):
    """``cases``, or a ValueError if one of them carries no answers (a programming error)."""
    if any(case.R is None or case.dW is None for case in cases):
        raise ValueError("these checks need cases with answers (R and dW)")
    return cases


def check_loss(spec: Function, fn: Regularizer_fn, cases: list[Case]) -> None:
    """Check that ``fn`` returns the correct loss R on every case.

    The bias row of every input is set to 0 first: whether R leaves out the
    bias is :func:`check_bias_and_input`'s business. Raises CheckFailed
    naming the first case whose R is wrong and, where the student's outputs
    on all cases fit a known mistake (or a loss of precision), what it is;
    else the first exception the function raised.
    """
    cases = _without_bias(_answered(cases))
    results, error = _outputs(fn, cases, lambda R, dW, case: _scalar(R, spec.name))
    failing = [(case, value) for case, value in results
               if np.isnan(value) or not _close(value, case.R, case.W)]
    ran = {id(case) for case, _ in results}
    crashed = [case for case in cases if id(case) not in ran]
    if (failing or crashed) and _only_the_example_shape([c for c, _ in failing] + crashed, cases):
        case = (failing[0][0] if failing else crashed[0])
        raise CheckFailed(f"{spec.name}: R is wrong for {describe(case)}. R is " + SHAPE_HINT)
    if failing:
        case, value = failing[0]
        reason = _diagnose(results, lambda case: case.loss_models, lambda a, b, case: _close(a, b, case.W))
        if reason is None and all(_precision(v, c.R, c.W) for c, v in results):
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
        reference = case.dW
    rtol, atol = _tolerance(W)
    with quiet():
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


def check_gradient(spec: Function, fn: Regularizer_fn, cases: list[Case]) -> None:
    """Check that ``fn`` returns the correct gradient dW on every case.

    dW must have W's shape (checked first, with the shape mistake named),
    no NaN and the correct values in its weight rows; for L1 where a weight
    is exactly 0, any value in [-reg, reg]. The bias row is
    :func:`check_bias_and_input`'s business.
    """
    cases = _answered(cases)
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
            results, lambda case: case.gradient_models,
            lambda dW, model, case: not _wrong_entries(spec, dW, case, model).any(),
        )
        if reason is None and all(_precision(dW[:-1], c.dW[:-1], c.W) for c, dW in results):
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
            with quiet():
                if not np.array_equal(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64),
                                      equal_nan=True):
                    return False
        except (TypeError, ValueError):
            if type(a) is not type(b):
                return False
    return True


def require_real_work(spec: Function, fn: Regularizer_fn) -> None:
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


def check_bias_and_input(spec: Function, fn: Regularizer_fn, cases: list[Case]) -> None:
    """Check the bias handling and that the caller's W is left unchanged.

    Graded only for a function that does real work (:func:`require_real_work`).
    Then, on every case where the function runs (crashes are the loss and
    gradient checks' business; the example case must run): W holds the same
    values after the call, R does not change when the bias row does, and,
    where dW has W's shape (a wrong shape is the gradient check's business),
    its bias row is zero. A dW that is zero in every row, on every case where
    the gradient is not zero, is a placeholder: its zero bias row earns
    nothing. Every problem found is named in the one CheckFailed raised.
    """
    require_real_work(spec, fn)
    problems: dict[str, str] = {}
    gradient_seen = nonzero_gradient = False
    for case in cases:
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
            problems.setdefault("input", f"{spec.name}: your function changed W; it must leave the caller's W "
                                         "unchanged (work on a copy).")
        try:
            dW = _as_array(dW, spec.name)
        except CheckFailed:
            dW = None  # not numbers: the gradient check's business
        if dW is not None and dW.shape == W.shape:
            if not np.all(dW[-1] == 0):
                problems.setdefault("dW", f"{spec.name}: the bias row of dW (its last row) must be zero.")
            if reg != 0 and np.any(W[:-1] != 0):
                gradient_seen = True
                nonzero_gradient = nonzero_gradient or bool(np.any(dW))
        try:
            changed = not _close(_as_array(R_shifted, spec.name), _as_array(R, spec.name), W)
        except (CheckFailed, ValueError):
            continue  # R's type and shape are the loss check's business
        if changed:
            problems.setdefault("R", f"{spec.name}: R changes when the bias row changes; R includes the bias "
                                     "row, it must be computed over the weights only (all rows but the last).")
    if gradient_seen and not nonzero_gradient and "dW" not in problems:
        problems["dW"] = (f"{spec.name}: dW is all zeros where the gradient is not, so its bias row cannot "
                          "be checked yet; this part gives points once dW holds the gradient.")
    if problems:
        raise CheckFailed(" ".join(problems[key] for key in ("R", "dW", "input") if key in problems))


#: Loops named in the message of the vectorization check; the rest are counted.
MAX_LOOPS_SHOWN = 10


def check_vectorized(spec: Function, fn: Regularizer_fn, source: str | None = None) -> None:
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
