"""Attacks on the grader's own process (outside the sandbox) that got past the intake, and the fixes.

Each test is one attack a student can make on what nbgrader, the Moodle collection or
the course's preprocessors read as the instructor:

- a grade id on two cells: nbgrader's ``DeduplicateIds`` empties one cell's metadata to
  ``{}``, read next as schema version 0: ``SchemaTooOldError`` stops the whole serial run;
- a folder named ``timestamp.txt`` or ``regularization.py``: nbgrader (or the snapshot)
  opens it as a file, and the submission fails with no score and no flag;
- in Moodle's archive, a file named like another student's below a student's own folder
  or zip: the collector read the student from the deepest Moodle-like name;
- a student's zip in Moodle's archive: nbgrader's extractor unpacks nested archives, each
  member whole in memory (a zip bomb stops the collection of the class).

- a set-up cell that hangs only when it is re-run in a fresh kernel (after a kernel death):
  its timeout escaped ``ResilientExecute`` and failed the submission, with no score or flag.

The e2e test grades the submissions above beside an honest one in one serial run.
"""

import json
import resource
import subprocess
import sys
import textwrap
import zipfile
from types import SimpleNamespace

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.nbgraderformat import MetadataValidator
from nbgrader.preprocessors import DeduplicateIds
from traitlets.config import Configurable

from grading.course import REPO, graded_cells
from grading.intake import Intake
from grading.intake.notebook import NotebookCaps, check_notebook_bytes
from grading.plugins.moodle import MoodleCollector
from grading.preprocessors.snapshot import read_module
from support.helpers import RELEASE

RELEASED = nbformat.read(RELEASE / "assignment2.ipynb", as_version=4)


def duplicated_grade_id(grade_id="l1_explanation") -> nbformat.NotebookNode:
    """The released notebook with a student's markdown cell, first, that carries ``grade_id``'s metadata."""
    notebook = nbformat.read(RELEASE / "assignment2.ipynb", as_version=4)
    real = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    fake = nbformat.v4.new_markdown_cell("my own answer")
    fake.metadata["nbgrader"] = json.loads(json.dumps(real.metadata["nbgrader"]))
    notebook.cells.insert(1, fake)
    return notebook


def released_submission(tmp_path, name="ada"):
    folder = tmp_path / "submitted" / name / "assignment2"
    folder.mkdir(parents=True)
    for file in ("assignment2.ipynb", "regularization.py"):
        (folder / file).write_bytes((RELEASE / file).read_bytes())
    return folder


# ---- a grade id on two cells ---------------------------------------------------------------

def test_a_grade_id_on_two_cells_is_kept_on_the_last_only_so_nbgraders_run_does_not_stop():
    data = nbformat.writes(duplicated_grade_id()).encode()
    verdict = check_notebook_bytes(data, NotebookCaps(), RELEASED)
    assert verdict.status == "repaired", verdict.reasons
    assert any("l1_explanation" in reason and "cell 2" in reason for reason in verdict.reasons), verdict.reasons
    # what nbgrader's sanitizing does next: de-duplicate, then validate (it raised SchemaTooOldError)
    notebook, _ = DeduplicateIds().preprocess(verdict.notebook, {})
    MetadataValidator().validate_nb(notebook)
    ids = [c.metadata["nbgrader"]["grade_id"] for c in notebook.cells if "nbgrader" in c.metadata]
    assert ids.count("l1_explanation") == 1
    assert notebook.cells[1].source == "my own answer" and "nbgrader" not in notebook.cells[1].metadata


# ---- folders in place of the files nbgrader opens ------------------------------------------

@pytest.mark.parametrize("name, why", [("timestamp.txt", "timestamp.txt is not used (it is a folder"),
                                       ("regularization.py", "regularization.py is a folder")])
def test_a_folder_in_place_of_a_file_nbgrader_opens_is_set_aside_with_a_finding(tmp_path, name, why):
    folder = released_submission(tmp_path)
    if (folder / name).exists():
        (folder / name).unlink()
    (folder / name).mkdir()
    (folder / name / "x.py").write_text("x = 1\n")
    findings = Intake().admit(folder, RELEASE)
    assert not (folder / name).exists()
    assert any(finding.startswith(why) for finding in findings), findings


def test_the_snapshot_takes_a_folder_in_place_of_the_module_for_no_module(tmp_path):
    (tmp_path / "regularization.py").mkdir()
    assert read_module(tmp_path / "regularization.py", 1024) is None


# ---- Moodle: a name deeper down never speaks for another student ---------------------------

@pytest.fixture(scope="module")
def collector(tmp_path_factory):
    root = tmp_path_factory.mktemp("moodle")
    (root / "downloaded" / "assignment2").mkdir(parents=True)
    (root / "downloaded" / "assignment2" / "worksheet.csv").write_bytes(
        (REPO / "tests/data/moodle/download-1/grading-worksheet.csv").read_bytes())
    db_url = f"sqlite:///{root / 'gradebook.db'}"
    with Gradebook(db_url) as gradebook:
        gradebook.add_student("ada", first_name="Ada", last_name="Lovelace",
                              email="Ada.Lovelace@stud.uni-frankfurt.de")
        gradebook.add_student("eve", first_name="Eve", last_name="Evil", email="")
    parent = Configurable()
    parent.coursedir = SimpleNamespace(root=str(root), assignment_id="assignment2", db_url=db_url, course_id="dlcv")
    return MoodleCollector(parent=parent)


@pytest.mark.parametrize("path", [
    # Eve's own sub-folder in Moodle's folder layout
    "extracted/dl/Eve Evil_4799_assignsubmission_file/work/Ada Lovelace_4711_assignsubmission_file_assignment2.ipynb",
    # the zip Eve handed in, unpacked by nbgrader's extractor into a folder of its name
    "extracted/dl/Eve Evil_4799_assignsubmission_file_work/Ada Lovelace_999_assignsubmission_file_regularization.py",
])
def test_a_file_named_like_another_students_inside_a_students_upload_is_never_theirs(collector, path):
    info = collector.collect("/course/downloaded/assignment2/" + path)
    assert info is None or info["student_id"] == "eve"


def test_moodles_own_names_are_still_collected(collector):
    assert collector.collect("/c/extracted/dl/Ada Lovelace_4711_assignsubmission_file_regularization.py")[
        "student_id"] == "ada"
    assert collector.collect("/c/extracted/dl/Eve Evil_4799_assignsubmission_file/assignment2.ipynb")[
        "student_id"] == "eve"


# ---- Moodle: the archive is unpacked within caps --------------------------------------------

def zip_bomb(path, size):
    """A zip of one member of ``size`` zero bytes (about size / 1000 bytes on disk)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("Eve Evil_4799_assignsubmission_file_zeros.bin", "w", force_zip64=True) as member:
            chunk = bytes(1024**2)
            for _ in range(size // len(chunk)):
                member.write(chunk)


def extract_under_cap(archive, extracted, extractor, cap):
    """Run ``extractor``'s extract of the folder ``archive`` in a child under an address-space cap; its exit code."""
    script = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
        from nbgrader.plugins import ExtractorPlugin
        from grading.plugins.archive import BoundedExtractor
        {extractor}().extract(sys.argv[1], sys.argv[2])
    """)
    done = subprocess.run([sys.executable, "-c", script, str(archive), str(extracted)],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    return done.returncode, done.stderr


@pytest.fixture(scope="module")
def moodle_with_a_students_zip_bomb(tmp_path_factory):
    """Moodle's archive holding Ada's notebook and Eve's zip, which unpacks to 1.5 GB of zeros."""
    tmp_path = tmp_path_factory.mktemp("bomb")
    zip_bomb(tmp_path / "eve.zip", 1536 * 1024**2)
    (tmp_path / "archive").mkdir()
    with zipfile.ZipFile(tmp_path / "archive" / "moodle.zip", "w") as moodle:
        moodle.write(tmp_path / "eve.zip", "Eve Evil_4799_assignsubmission_file_work.zip")
        moodle.writestr("Ada Lovelace_4711_assignsubmission_file_assignment2.ipynb", "{}")
        moodle.writestr("../../escaped.txt", "x")
    return tmp_path


def test_a_students_zip_in_moodles_archive_is_collected_as_a_file_never_unpacked(moodle_with_a_students_zip_bomb,
                                                                                   tmp_path):
    code, log = extract_under_cap(moodle_with_a_students_zip_bomb / "archive", tmp_path / "extracted",
                                  "BoundedExtractor", 1024**3)
    assert code == 0, log
    files = sorted(str(p.relative_to(tmp_path / "extracted")) for p in (tmp_path / "extracted").rglob("*")
                   if p.is_file())
    assert files == ["moodle/Ada Lovelace_4711_assignsubmission_file_assignment2.ipynb",
                     "moodle/Eve Evil_4799_assignsubmission_file_work.zip"]
    assert not (tmp_path / "escaped.txt").exists()


def test_a_member_past_the_cap_is_skipped_without_being_read_whole(tmp_path):
    (tmp_path / "archive").mkdir()
    zip_bomb(tmp_path / "archive" / "moodle.zip", 1536 * 1024**2)
    code, log = extract_under_cap(tmp_path / "archive", tmp_path / "extracted", "BoundedExtractor", 1024**3)
    assert code == 0, log
    assert not any(p.is_file() for p in (tmp_path / "extracted").rglob("*"))


def test_the_course_unpacks_moodles_archive_with_the_bounded_extractor():
    from grading.course import load_config
    assert load_config(REPO).ZipCollectApp.extractor_plugin == "grading.plugins.archive.BoundedExtractor"


# ---- one serial autograde: every such student gets a score and a flag, the run goes on -----

AUTOGRADED = [cell.grade_id for cell in graded_cells() if cell.autograded]
#: Module start: sleeps at import when the importing cell is not in IPython's history (a re-run, store_history=False).
HANGS_WHEN_RERUN = textwrap.dedent("""\
    import time as _time
    try:
        _ip = get_ipython()
    except NameError:
        _ip = None
    if _ip is not None and len(_ip.user_ns.get("_ih", [])) < 2:
        _time.sleep(600)
""")


@pytest.mark.e2e
def test_one_serial_autograde_grades_and_flags_every_such_student(tmp_path):
    from grading.integrity.report import IntegrityReport
    from grading.tools.scratch_course import ScratchCourse, nbgrader_env
    from support.hostile import correct_module

    course = ScratchCourse.create(tmp_path / "course")
    course.submit("ada", correct_module("masks"))
    folder = course.submit("dupgid", correct_module("masks"))
    nbformat.write(duplicated_grade_id(), folder / "assignment2.ipynb")
    folder = course.submit("moddir", correct_module("masks"), with_module=False)
    (folder / "regularization.py").mkdir()
    folder = course.submit("tsdir", correct_module("masks"))
    (folder / "timestamp.txt").mkdir()
    # a correct module that hangs at import only when a set-up cell is re-run (after the added cell kills
    # the kernel): the re-run's timeout escaped ResilientExecute and failed the submission, unflagged
    course.submit("rerun", HANGS_WHEN_RERUN + correct_module("masks"), added_cells=["import os\nos._exit(1)"])

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (4 * 1024**3, 4 * 1024**3))

    done = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", "assignment2", "--force",
                           f"--CourseDirectory.root={course.root}"], cwd=REPO, env=nbgrader_env(),
                          capture_output=True, text=True, preexec_fn=cap, timeout=3600)
    assert done.returncode == 0, done.stdout + done.stderr
    scores = course.scores()
    for student, words in {"dupgid": "grade id l1_explanation", "moddir": "regularization.py is a folder",
                           "tsdir": "timestamp.txt is not used", "rerun": "get_ipython"}.items():
        assert all(scores[student][g] is not None for g in AUTOGRADED), (student, scores[student])
        report = IntegrityReport.read(course.root / "autograded" / student / "assignment2")
        assert report.flagged and any(words in reason for reason in report.reasons), (student, report.reasons)
    assert sum(scores["dupgid"][g] for g in AUTOGRADED) == sum(scores["tsdir"][g] for g in AUTOGRADED) == 6
    assert sum(scores["moddir"][g] for g in AUTOGRADED) == 0


# ---- contained: the catalogue of attacks the intake already stops -------------------------

def test_duplicate_json_keys_are_read_as_nbgrader_reads_them_the_last_one_wins():
    text = nbformat.writes(RELEASED)
    assert text.rstrip().endswith("}")
    # the same key twice: the intake's parse and nbformat's (both json.loads) take the last one
    data = (text.rstrip()[:-1] + ',\n "nbformat": 3\n}').encode()
    verdict = check_notebook_bytes(data, NotebookCaps(), RELEASED)
    assert verdict.status == "refused" and "nbformat 3" in verdict.reasons[0]


def test_an_integer_of_a_million_digits_in_an_output_is_refused_before_anything_converts_it():
    data = nbformat.writes(RELEASED).replace('"outputs": []', '"outputs": [' + "9" * 10**6 + "]", 1).encode()
    assert b"9" * 1000 in data
    verdict = check_notebook_bytes(data, NotebookCaps(), RELEASED)
    assert verdict.status == "refused", verdict.reasons


# ---- the class report shows a student's error message as text ------------------------------

def test_a_students_error_message_in_the_markdown_report_is_text_on_one_row():
    from grading.tools.class_report import _markdown_table
    message = "ValueError: <img src=x onerror=alert(1)>\r| injected | row |\u2028<script>x</script>"
    lines = _markdown_table(["check", "message"], [["l1_loss", message]], [":--", ":--"])
    assert len(lines) == 3
    row = lines[2]
    # every character Markdown would read as markup is backslash-escaped: no tag, no cell separator
    assert all(row[i - 1] == "\\" for i, char in enumerate(row) if char in "<>"), row
    assert "\\<img src=x onerror=alert(1)\\>" in row
    assert lines[2].count(" | ") == 1


# ---- re-runs of set-up cells after restarts, past the notebook's time --------------------------

@pytest.mark.e2e
def test_re_running_set_up_cells_after_restarts_stays_within_the_documented_bound(tmp_path):
    import time

    from nbformat.v4 import new_code_cell, new_notebook

    from grading.preprocessors.resilient_execute import ResilientExecute

    def run(cells, **settings):
        nb = new_notebook(cells=cells)
        nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
        start = time.monotonic()
        _, resources = ResilientExecute(**settings).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
        return time.monotonic() - start, resources

    def cell(source, grade_id, grade):
        made = new_code_cell(source)
        made.metadata["nbgrader"] = {"grade_id": grade_id, "locked": True, "grade": grade, "solution": False,
                                     "schema_version": 3, **({"points": 1} if grade else {})}
        return made

    timeout, budget, setups, graded = 1, 2, 8, 6
    one_kernel, _ = run([cell("x = 1", "only", False)], timeout=timeout, notebook_timeout=budget)
    # set-up cells that are quick when first run and sleep 0.9 s when re-run (not in IPython's history then)
    cells = [cell(f"# setup {i}\nimport time\nif not any('# setup {i}\\n' in s for s in _ih):\n    time.sleep(0.9)",
                  f"setup_{i}", False) for i in range(setups)]
    cells += [cell("while True:\n    pass", f"graded_{i}", True) for i in range(graded)]
    took, resources = run(cells, timeout=timeout, notebook_timeout=budget)
    # Unbounded, the set-up re-runs alone cost graded x setups x 0.9 s = 43 s. The documented bound: the
    # notebook's time, the graded cells' limits, one allowance of re-runs, and a kernel start per restart
    # (measured in this run, the slower of a start before and after it, doubled). On a loaded machine the
    # seven restarts can each take longer than either measured start; the bound then allows up to half of
    # the unbounded re-runs' cost, still far below what they would cost.
    one_kernel = max(one_kernel, run([cell("x = 1", "only", False)], timeout=timeout, notebook_timeout=budget)[0])
    bound = budget + graded * timeout + timeout + (graded + 1) * 2 * one_kernel
    unbounded_reruns = graded * setups * 0.9
    assert took <= max(bound, graded * timeout + unbounded_reruns / 2), (took, bound)
    assert resources["notebook_time"]["reruns_cut"] > 0  # and it is said, for the flag
