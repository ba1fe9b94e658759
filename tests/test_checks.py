"""The graded checks accept the reference solution and name known mistakes."""

import numpy as np
import pytest

import regularization as reference
from grading import checks


@pytest.mark.parametrize("spec, fn", [(checks.L1, reference.L1_reg), (checks.L2, reference.L2_reg)])
@pytest.mark.parametrize("check", [checks.check_loss, checks.check_gradient,
                                   checks.check_bias_and_input, checks.check_vectorized])
def test_reference_solution_passes_every_check(spec, fn, check):
    check(spec, fn)


def test_reference_values_match_the_seeds_visible_tests():
    assert checks.L1.loss(checks.EXAMPLE_W, 0.5) == pytest.approx(19.95)
    assert checks.L2.loss(checks.EXAMPLE_W, 0.5) == pytest.approx(124.035)
    np.testing.assert_array_equal(checks.L2.gradient(checks.EXAMPLE_W, 0.5)[:-1], checks.EXAMPLE_W[:-1])


def l2_with_bias_in_loss(W, reg):
    return reg * np.sum(W**2), np.vstack([2 * reg * W[:-1], np.zeros((1, W.shape[1]))])


def l2_gradient_without_factors(W, reg):
    dW = W.copy()
    dW[-1] = 0
    return reg * np.sum(W[:-1] ** 2), dW


def l1_nan_at_zero(W, reg):
    dW = reg * W / np.abs(W)
    dW[-1] = 0
    return reg * np.sum(np.abs(W[:-1])), dW


def l1_zeroes_callers_bias(W, reg):
    W[-1] = 0
    return reg * np.sum(np.abs(W)), reg * np.sign(W)


@pytest.mark.parametrize("check, spec, fn, message", [
    (checks.check_bias_and_input, checks.L2, l2_with_bias_in_loss, "R includes the bias row"),
    (checks.check_gradient, checks.L2, l2_gradient_without_factors, "dW is missing both the factor 2 and reg"),
    (checks.check_gradient, checks.L1, l1_nan_at_zero, "dW has NaN where W is 0"),
    (checks.check_bias_and_input, checks.L1, l1_zeroes_callers_bias, "your function changed W"),
])
def test_known_mistakes_fail_with_a_message_in_the_students_terms(check, spec, fn, message):
    with pytest.raises(checks.CheckFailed, match=message):
        check(spec, fn)


# --- Each mistake costs points in one place; a function that computes nothing gets none.

def stub(W, reg):
    return 0.0, np.zeros_like(W)


def example_only(W, reg):
    """The example's answer, hard-coded, whatever W is."""
    dW = np.zeros((4, 3))
    dW[:-1] = 0.5 * np.sign(checks.EXAMPLE_W[:-1])
    return 19.95, dW


def failing_checks(spec, fn):
    failed = {}
    for part, check in checks.PARTS.items():
        try:
            check(spec, fn) if part != "vectorized" else check(spec, fn, source=SOURCES.get(fn, ""))
        except checks.CheckFailed as failure:
            failed[part] = str(failure)
    return failed


SOURCES = {}


def vectorized_source(fn, body):
    SOURCES[fn] = "import numpy as np\n" + body
    return fn


@pytest.mark.parametrize("fn", [stub, example_only], ids=["stub", "example_only"])
def test_a_function_that_computes_nothing_gets_no_point_in_any_check(fn):
    name = "def L1_reg(W, reg):\n    return 0.0, W\n"
    SOURCES[fn] = name
    failed = failing_checks(checks.L1, fn)
    assert set(failed) == set(checks.PARTS)
    assert "does not compute the regularizer yet" in failed["bias_and_input"]
    assert "does not compute the regularizer yet" in failed["vectorized"]


def l1(W, reg, weights_from=lambda W: W[:-1], bias_grad=0.0, dtype=np.float64):
    W64 = W.astype(dtype)
    dW = np.zeros(W.shape, dtype=dtype)
    dW[:-1] = reg * np.sign(W64[:-1])
    dW[-1] = bias_grad
    return reg * np.abs(weights_from(W64)).sum(dtype=dtype), dW


LOOPLESS = "def L1_reg(W, reg):\n    return W, W\n"


@pytest.mark.parametrize("fn, only", [
    (lambda W, reg: (2 * l1(W, reg)[0], l1(W, reg)[1]), "loss"),
    (lambda W, reg: (l1(W, reg)[0], 2 * l1(W, reg)[1]), "gradient"),
    (lambda W, reg: l1(W, reg, weights_from=lambda W: W), "bias_and_input"),
    (lambda W, reg: l1(W, reg, bias_grad=1.0), "bias_and_input"),
], ids=["wrong_R", "wrong_dW", "R_includes_bias", "dW_bias_row_not_zero"])
def test_each_mistake_costs_points_in_one_check_only(fn, only):
    SOURCES[fn] = LOOPLESS
    assert set(failing_checks(checks.L1, fn)) == {only}


# --- Diagnoses by name.

def test_precision_loss_is_named_not_blamed_on_the_formula():
    def float32_l1(W, reg):
        return l1(W, reg, dtype=np.float32)
    with pytest.raises(checks.CheckFailed, match="as if computed in float32") as failure:
        checks.check_loss(checks.L1, float32_l1)
    assert "Check the formula" not in str(failure.value)


@pytest.mark.parametrize("reshape, message", [
    (lambda dW: dW[:-1], "one row fewer than W: the bias row is missing"),
    (lambda dW: dW.ravel(), "dW is flattened"),
    (lambda dW: dW.T, "dW is transposed"),
])
def test_a_wrong_shape_of_dW_is_named(reshape, message):
    def wrong_shape(W, reg):
        R, dW = l1(W, reg)
        return R, reshape(dW)
    with pytest.raises(checks.CheckFailed, match=message):
        checks.check_gradient(checks.L1, wrong_shape)


def test_a_dropped_bias_row_costs_the_gradient_check_not_the_bias_check():
    def dropped(W, reg):
        R, dW = l1(W, reg)
        return R, dW[:-1]
    checks.check_bias_and_input(checks.L1, dropped)


def test_messages_never_repeat_a_word_or_the_shape():
    import re
    def wrong(W, reg):
        return 3 * l1(W, reg)[0], 3 * l1(W, reg)[1]
    for check in (checks.check_loss, checks.check_gradient):
        with pytest.raises(checks.CheckFailed) as failure:
            check(checks.L1, wrong)
        text = str(failure.value)
        assert not re.search(r"\b(\w+)\s+\1\b", text), text
        shapes = re.findall(r"\(\d+, \d+\)", text)
        assert len(shapes) == len(set(shapes)), text


def test_hidden_cases_include_the_second_visible_strength():
    regs = {case.reg for case in checks.hidden_cases() if case.W is checks.EXAMPLE_W}
    assert {0.5, 0.1} <= regs


# --- The dtype contract: float W of any precision; integer W is treated as float.

@pytest.mark.parametrize("fn, spec", [(reference.L1_reg, checks.L1), (reference.L2_reg, checks.L2)])
def test_reference_solution_treats_integer_W_as_float(fn, spec):
    W = np.array([[1, -2, 0], [3, 4, -5], [7, 8, 9]])
    R, dW = fn(W, 0.3)
    assert np.issubdtype(np.asarray(dW).dtype, np.floating)
    assert R == pytest.approx(spec.loss(W, 0.3))
    np.testing.assert_allclose(dW, spec.gradient(W, 0.3))


@pytest.mark.parametrize("fn", [reference.L1_reg, reference.L2_reg])
def test_reference_solution_keeps_float32_precision(fn):
    W = checks.EXAMPLE_W.astype(np.float32)
    assert np.asarray(fn(W, 0.5)[1]).dtype == np.float32
