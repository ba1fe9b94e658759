"""The master notebook: points, grade ids, and the seed's slips corrected."""

import pytest

from support.helpers import MASTER_NOTEBOOK, nbgrader_cells, read_notebook


@pytest.fixture(scope="module")
def cells():
    return nbgrader_cells(read_notebook(MASTER_NOTEBOOK))


def graded(cells, prefix, cell_type):
    return {
        grade_id: cell for grade_id, cell in cells.items()
        if cell.metadata["nbgrader"]["grade"] and cell.cell_type == cell_type
        and grade_id.startswith(prefix)
    }


@pytest.mark.parametrize("prefix", ["l1_", "l2_"])
def test_each_exercise_has_3_autograded_and_2_written_points(cells, prefix):
    autograded = graded(cells, prefix, "code")
    written = graded(cells, prefix, "markdown")
    assert len(autograded) >= 2
    assert sum(c.metadata["nbgrader"]["points"] for c in autograded.values()) == 3
    assert list(written) == [prefix + "explanation"]
    assert written[prefix + "explanation"].metadata["nbgrader"]["points"] == 2
    assert written[prefix + "explanation"].metadata["nbgrader"]["solution"]


def test_every_graded_cell_belongs_to_an_exercise_and_the_total_is_10(cells):
    grade_cells = {g: c for g, c in cells.items() if c.metadata["nbgrader"]["grade"]}
    assert all(g.startswith(("l1_", "l2_")) for g in grade_cells)
    assert sum(c.metadata["nbgrader"]["points"] for c in grade_cells.values()) == 10


def test_every_autograded_cell_has_hidden_tests_and_runs_its_own_check_on_public_inputs(cells):
    for grade_id, cell in cells.items():
        meta = cell.metadata["nbgrader"]
        if meta["grade"] and cell.cell_type == "code":
            assert "### BEGIN HIDDEN TESTS" in cell.source, grade_id
            assert cell.source.startswith('"""'), f"{grade_id} must open with a docstring"
            visible = cell.source.split("### END HIDDEN TESTS\n")[1]
            assert visible == f'check("{grade_id}")', grade_id


def markdown(notebook):
    return "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")


def test_seed_slips_are_corrected():
    text = markdown(read_notebook(MASTER_NOTEBOOK))
    assert "### 1 L1 Regularization (5 Points)" in text
    assert "### 2 L1 Regularization" not in text
    assert "](1.2-Explanation" not in text
    assert "[1.2 Explanation](#1.2-Explanation-(2-Points))" in text
    assert "#### Test 1.1.1" in text and "#### Test 2.1.1" in text
    assert "2.1.1 Test" not in text
    assert "In 2 to 4 sentences, explain how L1 regularization affects the weights" in text
    assert "In 2 to 4 sentences, explain how L2 regularization affects the weights" in text
    assert "we use the only the" not in text


def test_table_of_contents_links_point_at_headings():
    text = markdown(read_notebook(MASTER_NOTEBOOK))
    for heading in ["1 L1 Regularization (5 Points)", "1.1 Implementation (3 Points)",
                    "1.2 Explanation (2 Points)", "2 L2 Regularization (5 Points)",
                    "2.1 Implementation (3 Points)", "2.2 Explanation (2 Points)"]:
        assert f"### {heading}" in text
        assert "(#" + heading.replace(" ", "-") + ")" in text


def test_students_are_told_that_hidden_tests_exist():
    text = markdown(read_notebook(MASTER_NOTEBOOK))
    assert "hidden tests" in text
    assert "**and on hidden inputs** when your submission is graded" in text


def cell(grade_id):
    return nbgrader_cells(read_notebook(MASTER_NOTEBOOK))[grade_id]


def test_the_text_says_what_the_regularizer_is_precisely():
    text = markdown(read_notebook(MASTER_NOTEBOOK))
    assert "the regularizer is the absolute value" not in text
    assert "sum of the absolute values of the model's weights" in text
    assert "sum of the squared weights" in text
    # R names one thing, the regularization loss with lambda applied.
    assert "J(W) = \\mathcal{L}(W) + R(W)" in text
    assert "\\lambda R(W)" not in text


def test_students_are_told_what_is_graded_and_what_no_loops_means():
    overview = cell("grading_overview").source
    assert "Only the functions in `regularization.py` are graded" in overview
    assert "do not redefine them in this notebook" in overview
    for allowed in ("np.add.reduce", "np.einsum", "masks"):
        assert allowed in overview
    for forbidden in ("`sum`", "`map`", "`sorted`", "np.vectorize", "functools.reduce", "recursion"):
        assert forbidden in overview
    # How the cells depend on each other, and that a stub gets nothing.
    assert "A mistake costs the checks whose part it breaks" in overview
    assert "gets 0 points in all four checks" in overview


@pytest.mark.parametrize("exercise, part", [("l1", "1.1"), ("l2", "2.1")])
def test_the_visible_test_shows_the_example_and_runs_the_checks_of_its_part(exercise, part):
    assert "(W, 0.5)" in cell(f"{exercise}_test_call").source
    assert cell(f"{exercise}_test_compare").source == f'check("{part}")'
    assert "True" not in cell(f"{exercise}_test_text").source
    assert "from selfcheck import check" in cell("setup").source


@pytest.mark.parametrize("exercise", ["l1", "l2"])
def test_gradient_check_checks_shapes_first_and_says_what_it_cannot_catch(exercise):
    tools = cell("tools").source
    body = tools[tools.index("def gradient_check"):]
    assert body.index("np.ndim(R)") < body.index("np.shape(dW) != W.shape") < body.index("numerical_gradient(")
    text = cell(f"{exercise}_gradient_check_text").source
    assert "It cannot tell whether `R` itself is right" in text
    assert "gradient_check(" in cell(f"{exercise}_gradient_check").source


@pytest.mark.parametrize("exercise", ["l1", "l2"])
def test_prompts_ask_for_mechanism_and_effect_of_the_weights(exercise):
    prompt = cell(f"{exercise}_explanation_prompt").source
    assert "2 to 4 sentences" in prompt and "mechanism" in prompt and "effect" in prompt
    assert "parameters" not in prompt


@pytest.mark.parametrize("exercise", ["l1", "l2"])
def test_model_answers_carry_a_rubric_a_second_grader_can_apply(exercise):
    answer = cell(f"{exercise}_explanation").source
    for part in ("*Mechanism, 1 point:*", "*Effect, 1 point:*",
                 "*Accepted alternatives, and the point each counts for:*", "*Common wrong claims:*", "0.5 for"):
        assert part in answer, part


def test_l1_model_answer_does_not_claim_weights_stay_at_zero_under_subgradient_descent():
    answer = cell("l1_explanation").source
    assert "stay there" not in answer
    assert "oscillates" in answer


def test_dtype_contract_is_stated_in_the_notebook_and_the_module():
    text = markdown(read_notebook(MASTER_NOTEBOOK))
    assert "`float64` or `float32`" in text and "integer $W$" in text
    module = (MASTER_NOTEBOOK.parent / "regularization.py").read_text(encoding="utf-8")
    assert "An integer ``W`` is accepted too" in module


def test_the_ungraded_experiment_is_locked_and_left_out_of_autograding():
    from traitlets.config import Config

    from grading.tools.scratch_course import REPO
    config = Config()
    exec(compile((REPO / "nbgrader_config.py").read_text(), "nbgrader_config.py", "exec"),
         {"get_config": lambda: config})
    skipped = list(config.SkipExperiments.grade_ids)
    assert skipped == ["experiment_run", "experiment_plot"]
    assert "grading.preprocessors.skip_experiments.SkipExperiments" in config.Autograde.autograde_preprocessors
    for grade_id in skipped:
        meta = cell(grade_id).metadata["nbgrader"]
        assert meta["locked"] and not meta["grade"]
    assert "L1_reg" in cell("experiment_run").source and "L2_reg" in cell("experiment_run").source
    assert "hist(" in cell("experiment_plot").source and "semilogx(" in cell("experiment_plot").source
