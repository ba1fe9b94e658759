"""SkipExperiments comments out the listed locked experiment cells, and nothing else."""

from nbformat.v4 import new_code_cell, new_notebook

from grading.preprocessors.skip_experiments import NOTE, SkipExperiments


def nbgrader_cell(source, grade_id, locked=True, grade=False):
    return new_code_cell(source, metadata={"nbgrader": {
        "grade_id": grade_id, "locked": locked, "grade": grade, "solution": False,
        "schema_version": 3, "task": False, "points": 1 if grade else 0}})


def run(cells):
    notebook = new_notebook(cells=cells)
    skipper = SkipExperiments(grade_ids=["experiment_run"])
    notebook, _ = skipper.preprocess(notebook, {})
    return [cell.source for cell in notebook.cells]


def test_a_listed_locked_cell_becomes_comments_that_keep_its_code_readable():
    [source] = run([nbgrader_cell("x = train()\n\nprint(x)", "experiment_run")])
    assert source.startswith(NOTE)
    assert "# x = train()" in source and "# print(x)" in source
    assert all(line.startswith("#") for line in source.splitlines())


def test_unlisted_unlocked_or_graded_cells_are_run_as_they_are():
    sources = run([
        nbgrader_cell("a = 1", "setup"),
        nbgrader_cell("b = 2", "experiment_run", locked=False),
        nbgrader_cell("c = 3", "experiment_run", grade=True),
        new_code_cell("d = 4"),
    ])
    assert sources == ["a = 1", "b = 2", "c = 3", "d = 4"]
