"""The graded checks accept the reference solution and name known mistakes."""

import numpy as np
import pytest

from grading import checks
import regularization as reference


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
    (checks.check_loss, checks.L2, l2_with_bias_in_loss, "R includes the bias row"),
    (checks.check_gradient, checks.L2, l2_gradient_without_factors, "dW is missing both the factor 2 and reg"),
    (checks.check_gradient, checks.L1, l1_nan_at_zero, "dW has NaN where W is 0"),
    (checks.check_bias_and_input, checks.L1, l1_zeroes_callers_bias, "your function changed W"),
])
def test_known_mistakes_fail_with_a_message_in_the_students_terms(check, spec, fn, message):
    with pytest.raises(checks.CheckFailed, match=message):
        check(spec, fn)
