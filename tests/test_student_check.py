"""Students run the grader's own checks before they submit (``selfcheck``), on public inputs only.

The checks of ``grading.judge`` run with answers computed ahead for public
inputs (``grading/public_cases.json``); the release ships them as
``selfcheck/`` and nothing of the reference formulas or of the hidden inputs.
"""

import contextlib
import importlib.util
import io
import json
import re
import subprocess
import sys

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from grading import checks, judge, student_check
from grading.tools import public_cases
from grading.tools.catalogue import load_entries
from support.helpers import MASTER_MODULE, RELEASE, solution_lines, student_module_source

ENTRIES = load_entries()
MISTAKES = [e for e in ENTRIES if not e.correct]
CORRECT = [e for e in ENTRIES if e.correct]
GRADE_IDS = checks.GRADE_IDS
SELFCHECK = RELEASE / "selfcheck"


@contextlib.contextmanager
def student_module(tmp_path, source):
    """``source`` as the ``regularization`` module that ``selfcheck`` checks."""
    path = tmp_path / "regularization.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("regularization", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    saved = sys.modules.get("regularization")
    sys.modules["regularization"] = module
    try:
        yield module
    finally:
        if saved is None:
            sys.modules.pop("regularization", None)
        else:
            sys.modules["regularization"] = saved


def run_check(what):
    """``(printed text, message of the CheckFailed or None)`` of ``selfcheck.check(what)``."""
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            student_check.check(what)
    except judge.CheckFailed as failure:
        return printed.getvalue(), str(failure)
    return printed.getvalue(), None


# ---------------------------------------------------------------- the same checks as the grader's


@pytest.mark.parametrize("entry", MISTAKES, ids=lambda e: e.name)
def test_each_catalogue_mistake_fails_the_same_checks_as_when_graded_with_the_graders_message(tmp_path, entry):
    with student_module(tmp_path, entry.source):
        failed = {grade_id: message for grade_id in GRADE_IDS
                  for _, message in [run_check(grade_id)] if message}
        _, part_message = run_check("1.1" if entry.exercise == "l1" else "2.1")
        _, other_part = run_check("2.1" if entry.exercise == "l1" else "1.1")
    assert set(failed) == set(entry.caught_by)
    for grade_id, text in entry.messages.items():
        assert text in failed[grade_id]
        assert text in part_message  # the part's check names every mistake it found
    assert other_part is None


@pytest.mark.parametrize("entry", CORRECT, ids=lambda e: e.name)
def test_each_correct_variant_passes_every_check(tmp_path, entry):
    with student_module(tmp_path, entry.source):
        for what in ("1.1", "2.1"):
            printed, message = run_check(what)
            assert message is None, message
            verdicts = [line.split()[0] for line in printed.splitlines() if line.startswith(("ok ", "FAILED "))]
            assert verdicts == ["ok"] * 4


def test_a_list_return_of_correct_values_passes_every_check(tmp_path):
    source = student_module_source().replace("return R, dW", "return [R, dW]")
    assert "return [R, dW]" in source
    with student_module(tmp_path, source):
        for grade_id in GRADE_IDS:
            assert run_check(grade_id)[1] is None
            function = getattr(sys.modules["regularization"], checks.REGULARIZERS[grade_id[:2]].name)
            checks.run_check(grade_id, function)


@pytest.mark.parametrize("returned, named", [("R", "float64"), ("(R, dW, 0)", "tuple of 3 items"),
                                              ("{'R': R, 'dW': dW}", "dict")])
def test_anything_but_two_results_is_refused_with_what_was_returned(tmp_path, returned, named):
    source = student_module_source().replace("return R, dW", f"return {returned}")
    with student_module(tmp_path, source):
        _, message = run_check("l1_loss")
    assert f"must return two results, R and dW (return R, dW), got {named}" in message


def test_passed_checks_print_one_line_each_and_failed_ones_the_message(tmp_path):
    source = student_module_source().replace("dW[:-1] = reg * np.sign(weights)",
                                             "dW[:-1] = reg * weights / np.abs(weights)")
    assert source != student_module_source()
    with student_module(tmp_path, source):
        printed, message = run_check("1.1")
    lines = printed.splitlines()
    assert [line.split()[0] for line in lines] == ["ok", "FAILED", "ok", "ok"]
    assert "dW has NaN where W is 0" in lines[1]
    assert message.startswith("1 of 4 checks of L1_reg failed") and "dW has NaN where W is 0" in message


def test_an_unknown_part_names_the_known_ones():
    with pytest.raises(ValueError, match=r"use one of 1\.1, 2\.1, l1_loss"):
        student_check.check("1.2")


# ---------------------------------------------------------------- public, and only public


def test_public_inputs_differ_from_every_hidden_input():
    hidden = checks.hidden_cases()
    public = public_cases.public_cases()
    for case in public:
        for secret in hidden:
            same_W = case.W.shape == secret.W.shape and np.array_equal(case.W, secret.W)
            assert not (same_W and case.reg == secret.reg), case.what
            assert not same_W or case.W is checks.EXAMPLE_W, f"{case.what} reuses a hidden matrix"
    kinds = {case.what for case in public}
    for kind in ("W with only a bias row", "W with one category", "W with exact zeros", "float32 W"):
        assert kind in kinds
    assert any(case.reg == 0 for case in public) and len({case.reg for case in public}) >= 5


def test_the_committed_public_answers_are_what_the_reference_gives_now():
    assert public_cases.main(["--check"]) == 0


def test_the_release_ships_selfcheck_with_nothing_of_the_solution_or_the_hidden_inputs():
    shipped = {p.name: p.read_text(encoding="utf-8") for p in SELFCHECK.iterdir() if p.is_file()}
    assert set(shipped) == {"__init__.py", "judge.py", "loops.py", "names.py", "source.py", "public_cases.json"}
    text = "\n".join(shipped.values())
    for secret in ["def run_check", "hidden_cases", "def answered", "np.sign(",
                   "from grading", "import grading", *solution_lines(MASTER_MODULE.read_text(encoding="utf-8"))]:
        assert secret not in text, secret
    numbers = set(re.findall(r"-?\d+\.\d{6,}(?:e-?\d+)?", shipped["public_cases.json"]))
    for secret in checks.hidden_cases():
        if secret.W is checks.EXAMPLE_W:
            continue
        hidden_numbers = {repr(float(x)) for x in np.asarray(secret.W, dtype=np.float64).ravel()[:20] if x != 0}
        assert not hidden_numbers & numbers, f"a number of the hidden {secret.what} is in public_cases.json"
    data = json.loads(shipped["public_cases.json"])
    assert set(data) == {"about", "L1", "L2"}


def test_selfcheck_imports_nothing_but_numpy_and_the_standard_library(tmp_path):
    """In the released folder, alone: ``selfcheck`` works without the grading package."""
    folder = tmp_path / "assignment2"
    folder.mkdir()
    (folder / "selfcheck").symlink_to(SELFCHECK, target_is_directory=True)
    (folder / "regularization.py").write_text(student_module_source(), encoding="utf-8")
    script = ("import sys; sys.modules['grading'] = None\n"
              "from selfcheck import check\ncheck('1.1'); check('2.1')\n"
              "print(sorted(m for m, v in sys.modules.items()\n"
              "             if v is not None and m.split('.')[0] in ('grading', 'pytest')))")
    done = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, '.')\n{script}"],
                          cwd=folder, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert done.stdout.count("ok ") == 8


# ---------------------------------------------------------------- the rule about points


ONE_MISTAKE_SEVERAL_CHECKS = {
    # Each kind of mistake that the notebook's grading overview names as costing several checks.
    frozenset({"loss", "gradient"}): "swapped order, or a shape typed in from the example",
    frozenset({"loss", "gradient", "bias_and_input"}): "another row than the last as the bias",
    frozenset({"loss", "gradient", "bias_and_input", "vectorized"}): "a function that computes nothing",
}


def test_the_rule_about_points_in_the_notebook_is_true_of_the_whole_catalogue():
    from support.helpers import nbgrader_cells, read_notebook

    overview = "".join(nbgrader_cells(read_notebook(RELEASE / "assignment2.ipynb"))["grading_overview"].source)
    overview = " ".join(overview.split())
    for entry in MISTAKES:
        parts = frozenset(grade_id[3:] for grade_id in entry.caught_by)
        assert all(grade_id.startswith(entry.exercise) for grade_id in entry.caught_by), entry.name
        if len(parts) > 1:
            assert parts in ONE_MISTAKE_SEVERAL_CHECKS, f"{entry.name} costs {sorted(parts)}: the notebook says not"
    assert "`R` and `dW` returned in swapped order, or a shape typed in from the example" in overview
    assert "taking another row than the last as the bias also regularizes the bias" in overview
    assert "gets 0 points in all four checks" in overview
    assert "costs points in one check only" not in overview


def test_a_placeholder_dW_of_zeros_earns_nothing_for_its_zero_bias_row(tmp_path):
    source = student_module_source().replace("dW[:-1] = reg * np.sign(weights)", "pass")
    assert source != student_module_source()
    with student_module(tmp_path, source) as module:
        with pytest.raises(checks.CheckFailed, match="dW is all zeros where the gradient is not"):
            checks.run_check("l1_bias_and_input", module.L1_reg)
        assert "dW is all zeros" in run_check("l1_bias_and_input")[1]


def test_a_check_that_fails_for_several_reasons_names_all_of_them(tmp_path):
    source = (student_module_source()
              .replace("R = reg * np.sum(np.abs(weights))", "R = reg * np.sum(np.abs(W))")
              .replace("dW[:-1] = reg * np.sign(weights)", "dW[:] = reg * np.sign(W)"))
    assert source.count("np.sign(W)") == 1 and "np.abs(W))" in source
    with student_module(tmp_path, source) as module:
        with pytest.raises(checks.CheckFailed) as failure:
            checks.run_check("l1_bias_and_input", module.L1_reg)
    assert "R includes the bias row" in str(failure.value)
    assert "the bias row of dW (its last row) must be zero" in str(failure.value)


# ---------------------------------------------------------------- as a student runs it


@pytest.mark.e2e
@pytest.mark.parametrize("name", ["l1_gradient_nan_at_zero", "l2_list_comprehension", "returns_a_list"])
def test_run_all_of_the_released_notebook_stops_in_the_part_with_the_mistake(tmp_path, name):
    entry = next(e for e in ENTRIES if e.name == name)
    folder = tmp_path / "assignment2"
    folder.mkdir()
    (folder / "selfcheck").symlink_to(SELFCHECK, target_is_directory=True)
    (folder / "regularization.py").write_text(entry.source, encoding="utf-8")
    notebook = nbformat.read(RELEASE / "assignment2.ipynb", as_version=4)
    NotebookClient(notebook, timeout=120, allow_errors=True, resources={"metadata": {"path": str(folder)}}).execute()
    errors = {cell.metadata.get("nbgrader", {}).get("grade_id"): output.evalue
              for cell in notebook.cells for output in cell.get("outputs", []) if output.output_type == "error"}
    if entry.correct:
        assert errors == {}
        return
    assert f"{entry.exercise}_test_compare" in errors
    # The part's check and its graded cells fail, nothing of the other part; the experiment may stop
    # too (it refuses a NaN gradient).
    assert {f"{entry.exercise}_test_compare", *entry.caught_by} <= set(errors)
    assert set(errors) <= {f"{entry.exercise}_test_compare", *entry.caught_by, "experiment_run", "experiment_plot"}
    for grade_id, text in entry.messages.items():
        assert text in errors[grade_id] and text in errors[f"{entry.exercise}_test_compare"]
