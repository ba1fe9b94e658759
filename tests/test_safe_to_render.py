"""SafeToRender keeps only inert outputs, attachments and metadata in a notebook (small notebooks, no nbgrader run)."""

import copy

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_output, new_raw_cell

from grading.course import load_config
from grading.preprocessors.model_answers import AddModelAnswers, DropModelAnswers, is_model_answer
from grading.preprocessors.safe_to_render import SafeToRender
from grading.tools.scratch_course import REPO
from support.helpers import MASTER_NOTEBOOK, read_notebook

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
HANDLER = '1 onerror="alert(1)"'
SAFE_TO_RENDER = "grading.preprocessors.safe_to_render.SafeToRender"


def run(*cells, metadata=None):
    """SafeToRender's notebook from these cells (made as dicts: a hostile notebook need not validate)."""
    notebook = nbformat.from_dict({"nbformat": 4, "nbformat_minor": 5, "metadata": metadata or {},
                                   "cells": [copy.deepcopy(cell) for cell in cells]})
    return SafeToRender().preprocess(notebook, {})[0]


def outputs_after(*outputs):
    cell = new_code_cell("show()")
    cell.outputs = [nbformat.from_dict(output) for output in outputs]
    return run(cell).cells[0].outputs


def test_outputs_keep_only_plain_text_and_base64_png_and_jpeg():
    script = '<img src=x onerror="alert(1)">'
    kept = outputs_after(new_output("display_data", data={
        "text/plain": "a plot", "image/png": PNG, "image/jpeg": PNG, "text/html": script, "text/markdown": script,
        "image/svg+xml": "<svg onload=alert(1)/>", "application/javascript": "alert(1)", "text/latex": "$x$",
        "application/vnd.jupyter.widget-view+json": {"model_id": "m"}}))
    assert [sorted(output.data) for output in kept] == [["image/jpeg", "image/png", "text/plain"]]


def test_an_output_left_with_nothing_to_show_is_dropped():
    assert outputs_after(new_output("display_data", data={"text/html": "<b>x</b>"}),
                         new_output("display_data", data={"image/png": 'x" onerror="alert(1)'}),
                         {"output_type": "widget_state", "data": {"text/plain": "x"}}) == []


def test_image_metadata_keeps_only_positive_numeric_sizes():
    [output] = outputs_after(new_output("display_data", data={"image/png": PNG}, metadata={
        "image/png": {"width": HANDLER, "height": 30, "alt": '"><script>', "unconfined": True},
        "filenames": {"image/png": "/api/contents/nbgrader_config.py"}, "isolated": True,
        "width": 12.5, "height": -4}))
    assert output.metadata == {"image/png": {"height": 30}, "width": 12.5}


@pytest.mark.parametrize("bad", [HANDLER, "40", True, 0, -1, float("nan"), float("inf"), [40], {"w": 1}])
def test_a_size_that_is_not_a_finite_positive_number_is_dropped(bad):
    [output] = outputs_after(new_output("display_data", data={"image/jpeg": PNG},
                                        metadata={"image/jpeg": {"width": bad}, "height": bad}))
    assert output.metadata == {}


def test_streams_and_errors_are_kept_as_text():
    stream = new_output("stream", name="stdout", text="<b>printed</b>")
    error = new_output("error", ename="ValueError", evalue="<img src=x>", traceback=["line 1", "line 2"])
    assert outputs_after(stream, error) == [stream, error]


def test_attachments_keep_only_raster_images_with_base64_data():
    cell = new_markdown_cell("![a](attachment:a.png) ![b](attachment:b.svg)")
    cell.attachments = {
        "a.png": {"image/png": PNG, "image/svg+xml": "PHN2Zz4=", "text/html": "PHNjcmlwdD4="},
        "b.svg": {"image/svg+xml": "PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"},
        "c": {'image/png" onerror="alert(1)': PNG},
        "d": {"image/jpeg": 'x" onerror="alert(1)'},
        "e": {"image/gif": [PNG[:20], PNG[20:]]},
    }
    assert run(cell).cells[0].attachments == {"a.png": {"image/png": PNG}, "e": {"image/gif": PNG}}


def test_cell_metadata_keeps_nbgraders_keys_safe_tags_and_the_edit_flags():
    nbgrader = {"grade": True, "grade_id": "l1_explanation", "locked": False, "points": 2, "schema_version": 3,
                "solution": True, "task": False, "cell_type": "markdown",
                "checksum": "0c05d2a87d4a612301d0a27ad6711fc0"}
    cell = new_markdown_cell("answer")
    cell.metadata = {
        "nbgrader": {**nbgrader, "extra": "<script>", "points_note": "x"}, "editable": True, "deletable": False,
        "tags": ['x" onclick="alert(1)', "ok-tag", "under_score", 3], "jupyter": {"source_hidden": True},
        "raw_mimetype": "text/html", "widgets": {}, "collapsed": 'x" onclick="alert(1)'}
    assert run(cell).cells[0].metadata == {"nbgrader": nbgrader, "editable": True, "deletable": False,
                                            "tags": ["ok-tag", "under_score"]}


@pytest.mark.parametrize("grade_id", ['x" autofocus onfocus="alert(1)', "a b", "", 7, "<b>"])
def test_nbgrader_metadata_with_an_unsafe_grade_id_is_dropped(grade_id):
    cell = new_markdown_cell("answer", metadata={"nbgrader": {"grade": True, "solution": True, "grade_id": grade_id,
                                                              "points": 1}})
    assert run(cell).cells[0].metadata == {}


def test_nbgrader_values_of_the_wrong_type_are_dropped():
    cell = new_markdown_cell("answer", metadata={"nbgrader": {
        "grade": "yes", "solution": 1, "grade_id": "ok", "points": "2<script>", "score": float("nan"),
        "schema_version": True, "cell_type": "html", "checksum": "<b>", "comment": 5}})
    assert run(cell).cells[0].metadata == {"nbgrader": {"grade_id": "ok"}}


def test_the_model_answer_mark_is_kept_so_feedback_still_drops_those_cells():
    mark = new_markdown_cell("model answer", metadata={"grading": {"model_answer": True}})
    forged = new_markdown_cell("student", metadata={"grading": {"model_answer": "<script>", "other": 1}})
    nb = run(mark, forged)
    assert [is_model_answer(cell) for cell in nb.cells] == [True, False]
    assert [cell.source for cell in DropModelAnswers().preprocess(nb, {})[0].cells] == ["student"]


def test_notebook_metadata_keeps_kernelspec_and_language_info_of_safe_strings():
    master = read_notebook(MASTER_NOTEBOOK).metadata
    hostile = copy.deepcopy(master)
    hostile.update({"title": "</title><script>alert(1)</script>", "widgets": {"state": "</script>"},
                    "nbgrader": {"x": 1}})
    hostile.kernelspec.display_name = '<img src=x onerror="alert(1)">'
    hostile.language_info.codemirror_mode = {"name": "<script>", "version": 3}
    clean = run(metadata=hostile).metadata
    assert set(clean) == {"kernelspec", "language_info"}
    assert clean.kernelspec == {key: master.kernelspec[key] for key in ("name", "language")}
    assert "codemirror_mode" not in clean.language_info
    assert run(metadata=master).metadata == master


def test_cell_ids_of_the_wrong_form_or_repeated_are_replaced():
    cells = [new_markdown_cell("a"), new_markdown_cell("b"), new_markdown_cell("c")]
    cells[0].id, cells[1].id, cells[2].id = "fine-id", 'x" onclick="alert(1)', "fine-id"
    assert [cell.id for cell in run(*cells).cells] == ["fine-id", "cell-1", "cell-2"]


def test_execution_counts_are_integers_or_none():
    cell = new_code_cell("x")
    cell.execution_count = "<b>1</b>"
    assert run(cell).cells[0].execution_count is None


def test_raw_and_unknown_cells_lose_their_mimetype_and_keep_their_text():
    raw = new_raw_cell('<img src=x onerror="alert(1)">', metadata={"raw_mimetype": "text/html"})
    strange = nbformat.from_dict({"cell_type": "heading", "source": "title", "metadata": {}, "level": 1})
    cells = run(raw, strange).cells
    assert [(c.cell_type, c.source, c.metadata) for c in cells] == [
        ("raw", '<img src=x onerror="alert(1)">', {}), ("raw", "title", {})]


def test_the_master_notebook_keeps_what_grading_needs_and_validates():
    master = read_notebook(MASTER_NOTEBOOK)
    clean = SafeToRender().preprocess(copy.deepcopy(master), {})[0]
    nbformat.validate(clean)
    assert [c.source for c in clean.cells] == [c.source for c in master.cells]
    assert [c.metadata.get("nbgrader") for c in clean.cells] == [c.metadata.get("nbgrader") for c in master.cells]
    plots = [o for c in master.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    kept = [o for c in clean.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert plots and [o.data["image/png"] for o in kept] == [o.data["image/png"] for o in plots]


def test_running_it_twice_changes_nothing_more():
    master = read_notebook(MASTER_NOTEBOOK)
    once = SafeToRender().preprocess(copy.deepcopy(master), {})[0]
    assert SafeToRender().preprocess(copy.deepcopy(once), {})[0] == once


def test_the_course_runs_it_last_in_autograde_and_first_in_feedback():
    config = load_config(REPO)
    assert config.Autograde.autograde_preprocessors[-1] == SAFE_TO_RENDER
    assert config.Autograde.autograde_preprocessors.index(SAFE_TO_RENDER) > \
        config.Autograde.autograde_preprocessors.index(f"{AddModelAnswers.__module__}.AddModelAnswers")
    assert config.GenerateFeedback.preprocessors[0] == SAFE_TO_RENDER
