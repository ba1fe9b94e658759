"""The notebook's ungraded experiment teaches what the written questions ask.

Its cells run here with the reference functions of regularization.py (and with broken ones),
in this process: the experiment is plain NumPy, a second or so.
"""

import numpy as np
import pytest

from regularization import L1_reg, L2_reg
from support.helpers import MASTER_NOTEBOOK, nbgrader_cells, read_notebook


def source(grade_id):
    return nbgrader_cells(read_notebook(MASTER_NOTEBOOK))[grade_id].source


def run_experiment(l1=L1_reg, l2=L2_reg):
    names = {"np": np, "L1_reg": l1, "L2_reg": l2}
    exec(compile(source("experiment_run"), "experiment_run", "exec"), names)
    return names


@pytest.fixture(scope="module")
def experiment():
    return run_experiment()


def test_a_nan_gradient_at_zero_stops_training_with_a_hint():
    def L1_reg(W, reg):  # noqa: N802 (the student's name): W / |W| is NaN where W is 0
        W = np.asarray(W, dtype=float)
        dW = reg * W / np.abs(W)
        dW[-1] = 0
        return reg * np.sum(np.abs(W[:-1])), dW

    with np.errstate(invalid="ignore"), pytest.raises(AssertionError, match=r"NaN or inf.*exactly 0.*np\.sign"):
        run_experiment(l1=L1_reg)


def test_the_proximal_step_puts_more_useless_weights_exactly_at_zero_as_reg_grows(experiment):
    zero = experiment["exactly_zero"]
    assert np.all(np.diff(zero["L1 proximal"]) >= 0) and zero["L1 proximal"][-1] == 26
    assert zero["L1 proximal"][0] < 26
    # Plain subgradient descent and L2 never land exactly on zero ...
    assert not np.any(zero["L1 subgradient"]) and not np.any(zero["L2"])
    # ... and plain subgradient descent's near-zero count falls again once the oscillation band
    # (learning rate times reg) is wider than the 0.01 it counts: the text must say why.
    near = experiment["near_zero"]["L1 subgradient"]
    assert near.max() > near[-1]
    text = source("experiment_text")
    assert "oscillates within $\\eta\\lambda$ of zero" in text and "first rises and then falls" in text


def test_the_plot_zooms_in_on_the_useless_weights():
    plot = source("experiment_plot")
    assert "ylim=(-limit, limit)" in plot and "path[:, useless]" in plot
    assert "hist(" in plot and "semilogx(" in plot


def test_train_says_it_minimizes_half_the_mean_squared_error_which_its_gradient_is_of(experiment):
    doc = experiment["train"].__doc__
    assert "half the mean squared error" in doc and "/ (2n)" in doc
    # The data gradient in the code is that of half the MSE: compare with a numerical gradient.
    rng = np.random.default_rng(1)
    X_b, y, W = rng.normal(size=(20, 3)), rng.normal(size=(20, 1)), rng.normal(size=(3, 1))
    half_mse = lambda V: np.sum((X_b @ V - y) ** 2) / (2 * len(X_b))  # noqa: E731
    numeric = np.array([[(half_mse(W + e) - half_mse(W - e)) / 2e-6] for e in np.eye(3)[:, :, None] * 1e-6])
    assert "X_b.T @ (X_b @ W - y) / len(X)" in source("experiment_run")
    np.testing.assert_allclose(X_b.T @ (X_b @ W - y) / len(X_b), numeric.reshape(3, 1), rtol=1e-6)


def test_setup_text_names_matplotlib_which_the_experiment_imports():
    setup = source("setup_text")
    assert "matplotlib" in source("experiment_plot")
    assert "**Matplotlib**" in setup and "we use only" not in setup.lower()
