"""The master notebook: points, grade ids, and the seed's slips corrected."""

import pytest

from helpers import MASTER_NOTEBOOK, nbgrader_cells, read_notebook


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


def test_every_autograded_cell_raises_with_a_message_and_has_hidden_tests(cells):
    for grade_id, cell in cells.items():
        meta = cell.metadata["nbgrader"]
        if meta["grade"] and cell.cell_type == "code":
            assert "assert " in cell.source, grade_id
            assert "print(" not in cell.source, f"{grade_id}: a printed result is not graded"
            assert "### BEGIN HIDDEN TESTS" in cell.source, grade_id
            assert cell.source.startswith('"""'), f"{grade_id} must open with a docstring"


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
    assert ("Briefly describe in your own words how the L1 regularization affects "
            "the parameters of the model.") in text
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
    assert "does **not** mean full marks" in text
