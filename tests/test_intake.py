"""The intake: what nbgrader's own process reads of a submission is bounded, set aside or repaired first.

Unit tests on small folders and notebooks (no nbgrader run, no kernel):
``tests/test_intake_e2e.py`` grades hostile students beside honest ones.
"""

import copy
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbgrader.converters import Autograde
from nbgrader.utils import find_all_files

from grading.course import REPO, course_directory, load_config
from grading.intake import IGNORE, Intake, IntakeExporter, IntakeRefused
from grading.intake.files import aside_name, original_name, unsafe_name
from grading.intake.notebook import NotebookCaps, check_notebook, check_notebook_bytes
from support.helpers import MASTER_NOTEBOOK, RELEASE

RELEASED = nbformat.read(RELEASE / "assignment2.ipynb", as_version=4)
RELEASE_JSON = json.loads((RELEASE / "assignment2.ipynb").read_text(encoding="utf-8"))
CAPS = NotebookCaps()
#: What CourseDirectory.ignore holds in the course's configuration.
COURSE_IGNORE = list(load_config(REPO).CourseDirectory.ignore)


def notebook_bytes(edit=None) -> bytes:
    data = copy.deepcopy(RELEASE_JSON)
    if edit:
        edit(data)
    return json.dumps(data).encode("utf-8")


def graded_cell(data, grade_id):
    return next(c for c in data["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


def heading_bomb(cells=6) -> bytes:
    """nbformat 3: converting it to version 4 writes '#' * level for each heading cell (1.5 GB each)."""
    return json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": ""},
                       "worksheets": [{"metadata": {}, "cells": [
                           {"cell_type": "heading", "level": 1_500_000_000, "metadata": {}, "source": "x"}] * cells}],
                       }).encode()


def submission(tmp_path, name="ada", notebook: bytes | None = None) -> Path:
    folder = tmp_path / "submitted" / name / "assignment2"
    folder.mkdir(parents=True)
    (folder / "assignment2.ipynb").write_bytes(notebook if notebook is not None else notebook_bytes())
    (folder / "regularization.py").write_text((RELEASE / "regularization.py").read_text())
    return folder


def collected(folder: Path) -> set[str]:
    """What nbgrader's copy into autograded/ takes from ``folder`` with the course's ignore list."""
    return {os.path.relpath(p, folder) for p in find_all_files(str(folder), COURSE_IGNORE + ["*.ipynb"])}


def snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() and not p.is_symlink() else p.lstat().st_mode)
            for p in sorted(folder.rglob("*"))}


# ---- honest notebooks and folders pass untouched ---------------------------------------

@pytest.mark.parametrize("path", [RELEASE / "assignment2.ipynb", MASTER_NOTEBOOK])
def test_honest_notebooks_pass_the_check(path):
    assert check_notebook(path, CAPS, RELEASED).status == "ok"


def test_honest_notebooks_are_far_below_every_cap():
    master = json.loads(MASTER_NOTEBOOK.read_text(encoding="utf-8"))
    assert MASTER_NOTEBOOK.stat().st_size * 20 < CAPS.notebook_bytes
    assert len(master["cells"]) * 10 < CAPS.cells
    assert max(len("".join(c["source"]).encode()) for c in master["cells"]) * 10 < CAPS.cell_source_bytes
    assert sum(len(c.get("outputs", [])) for c in master["cells"]) * 10 < CAPS.outputs
    assert len(json.dumps(master).split(",")) * 10 < CAPS.json_values  # more than its values


def test_an_honest_submission_is_admitted_untouched_with_no_findings(tmp_path):
    folder = submission(tmp_path)
    (folder / "notes" / "Übung 1 (copy).txt").parent.mkdir()
    (folder / "notes" / "Übung 1 (copy).txt").write_text("my notes")
    (folder / "timestamp.txt").write_text("2022-11-09 17:12:00.000000 UTC")
    before = snapshot(folder)
    assert Intake().admit(folder, RELEASE) == []
    assert snapshot(folder) == before


# ---- notebooks that are refused ----------------------------------------------------------

def _set(path, value):
    def edit(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return edit


REFUSED = {
    "nbformat 3 (the heading bomb)": (heading_bomb(), "nbformat 3 notebook"),
    "nbformat as text": (notebook_bytes(_set(["nbformat"], "4")), "nbformat 4 notebook: only version 4"),
    "nbformat as a float": (notebook_bytes(_set(["nbformat"], 4.0)), "only version 4"),
    "nbformat_minor far out": (notebook_bytes(_set(["nbformat_minor"], 10**9)), "nbformat_minor 1000000000"),
    "too many bytes": (notebook_bytes(_set(["metadata", "pad"], "x" * CAPS.notebook_bytes)), "more than the cap"),
    "too many cells": (notebook_bytes(lambda d: d["cells"].extend([nbformat.v4.new_markdown_cell("x")] * 600)),
                       f"{len(RELEASE_JSON['cells']) + 600} cells, more than the cap of 500"),
    "one cell too large": (notebook_bytes(_set(["cells", 3, "source"], "x = 1\n" * 20_000)),
                           "cell 4 has 120000 bytes of source"),
    "too many outputs": (notebook_bytes(_set(["cells", 1, "outputs"],
                                             [{"output_type": "stream", "name": "stdout", "text": "x"}] * 1001)),
                         "1001 outputs"),
    "nested too deep": (b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {"x": ' + b"[" * 500 + b"]" * 500
                        + b'}, "cells": []}', "nested more than 64 deep"),
    "nested past Python's recursion limit": (b"[" * 100_000 + b"]" * 100_000, "nested more than 64 deep"),
    "too many JSON values": (notebook_bytes(_set(["metadata", "padding"], [[]] * 200_000)),
                             "more than 200000 JSON values"),
    "a huge number": (notebook_bytes(_set(["cells", 0, "metadata", "level"], 10**30)), "the number 1000000000000"),
    "not a finite number": (notebook_bytes(_set(["metadata", "x"], float("nan"))), "the number nan"),
    "not UTF-8": (b'{"nbformat": 4, "cells": ["\xff"]}', "not UTF-8"),
    "not JSON": (b"{'nbformat': 4}", "not JSON"),
    "not an object": (b"[4]", "not an object"),
    "a cell of another format": (notebook_bytes(_set(["cells", 0, "cell_type"], "heading")), "not a valid notebook"),
    "a cell without text": (notebook_bytes(_set(["cells", 0, "source"], 7)), "cell 1 has no text"),
}


@pytest.mark.parametrize("name", REFUSED)
def test_a_hostile_notebook_is_refused_with_a_reason(name):
    data, words = REFUSED[name]
    verdict = check_notebook_bytes(data, CAPS, RELEASED)
    assert verdict.status == "refused"
    assert words in " ".join(verdict.reasons)


def test_the_heading_bomb_is_refused_before_anything_allocates_under_a_memory_cap(tmp_path):
    # 512 MiB of address space: the check runs; nbformat's own read of the same file does not.
    bomb = tmp_path / "bomb.ipynb"
    bomb.write_bytes(heading_bomb())
    script = textwrap.dedent(f"""
        import resource, sys
        import nbformat
        from grading.intake.notebook import NotebookCaps, check_notebook
        resource.setrlimit(resource.RLIMIT_AS, (512 * 1024**2, 512 * 1024**2))
        verdict = check_notebook({str(bomb)!r}, NotebookCaps())
        print(verdict.status, verdict.reasons)
        try:
            nbformat.read({str(bomb)!r}, as_version=4)
            print("nbformat read it")
        except MemoryError:
            print("nbformat ran out of memory")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    assert first.startswith("refused") and "nbformat 3 notebook" in first
    assert second == "nbformat ran out of memory"  # the cap is one that the conversion would break


@pytest.mark.parametrize("make, kind", [
    (lambda path: os.mkfifo(path), "FIFO"),
    (lambda path: socket.socket(socket.AF_UNIX).bind(str(path)), "socket"),
    (lambda path: path.symlink_to(MASTER_NOTEBOOK), "symbolic link"),
])
def test_a_special_file_as_the_notebook_is_refused_without_opening_it(tmp_path, make, kind):
    path = tmp_path / "assignment2.ipynb"
    make(path)
    verdict = check_notebook(path, CAPS, RELEASED)
    assert verdict.status == "refused" and kind in verdict.reasons[0]


# ---- notebooks that are repaired ---------------------------------------------------------

def test_a_graded_cell_of_schema_version_4_is_reset_from_the_release():
    def edit(data):
        cell = graded_cell(data, "l1_explanation")
        cell["metadata"]["nbgrader"]["schema_version"] = 4
        cell["source"] = "My answer."
    verdict = check_notebook_bytes(notebook_bytes(edit), CAPS, RELEASED)
    assert verdict.status == "repaired"
    assert "schema_version 4" in verdict.reasons[0] and "reset from the released notebook's cell l1_explanation" \
        in verdict.reasons[0]
    repaired = next(c for c in verdict.notebook.cells if c.source == "My answer.")
    assert repaired.metadata.nbgrader == graded_cell(RELEASE_JSON, "l1_explanation")["metadata"]["nbgrader"]


@pytest.mark.parametrize("meta, why", [
    ({"schema_version": 4, "grade": True}, "schema_version 4"),
    ({"grade": True, "solution": False, "locked": False}, "schema_version None"),  # nbgrader: SchemaTooOldError
    ({"schema_version": 3, "grade": True, "solution": False, "locked": False, "grade_id": "mine"}, "invalid"),
    ("not an object", "is not an object"),
])
def test_a_students_own_cell_with_unreadable_nbgrader_metadata_loses_it(meta, why):
    cell = {"cell_type": "code", "execution_count": None, "id": "mine", "metadata": {"nbgrader": meta},
            "outputs": [], "source": "x = 1"}
    verdict = check_notebook_bytes(notebook_bytes(lambda d: d["cells"].append(cell)), CAPS, RELEASED)
    assert verdict.status == "repaired", verdict.reasons
    assert why in verdict.reasons[0] and "removed" in verdict.reasons[0]
    assert "nbgrader" not in verdict.notebook.cells[-1].metadata


# ---- a submission folder -----------------------------------------------------------------

def test_a_refused_notebook_is_set_aside_and_the_release_graded_in_its_place(tmp_path):
    folder = submission(tmp_path, notebook=heading_bomb())
    findings = Intake().admit(folder, RELEASE)
    assert (folder / "assignment2.ipynb").read_bytes() == (RELEASE / "assignment2.ipynb").read_bytes()
    assert (folder / "assignment2.ipynb.refused-not-collected").read_bytes() == heading_bomb()
    assert len(findings) == 1 and "nbformat 3" in findings[0] and "released notebook was graded" in findings[0]


def test_a_repaired_notebook_is_graded_and_the_original_kept(tmp_path):
    original = notebook_bytes(lambda d: graded_cell(d, "l2_explanation")["metadata"]["nbgrader"].update(
        schema_version=4))
    folder = submission(tmp_path, notebook=original)
    findings = Intake().admit(folder, RELEASE)
    assert (folder / "assignment2.ipynb.refused-not-collected").read_bytes() == original
    assert check_notebook(folder / "assignment2.ipynb", CAPS, RELEASED).status == "ok"
    assert len(findings) == 1 and "was repaired" in findings[0] and "schema_version 4" in findings[0]


def test_a_fifo_as_the_notebook_is_renamed_never_opened_and_the_release_graded(tmp_path):
    folder = submission(tmp_path)
    (folder / "assignment2.ipynb").unlink()
    os.mkfifo(folder / "assignment2.ipynb")
    findings = Intake().admit(folder, RELEASE)
    assert (folder / "assignment2.ipynb.refused-not-collected").is_fifo()
    assert (folder / "assignment2.ipynb").read_bytes() == (RELEASE / "assignment2.ipynb").read_bytes()
    assert findings == ["assignment2.ipynb is a FIFO (named pipe): not collected; the released notebook was graded "
                        "in its place (its written answers score 0: please look)"]


def test_a_folder_in_place_of_the_notebook_is_set_aside_and_the_release_graded(tmp_path):
    folder = submission(tmp_path)
    (folder / "assignment2.ipynb").unlink()
    (folder / "assignment2.ipynb").mkdir()
    findings = Intake().admit(folder, RELEASE)
    assert (folder / "assignment2.ipynb").read_bytes() == (RELEASE / "assignment2.ipynb").read_bytes()
    assert findings[0].startswith("assignment2.ipynb was refused: it is a folder, not a file; the released notebook")


def test_special_files_links_unsafe_names_and_large_files_are_not_collected(tmp_path):
    folder = submission(tmp_path)
    os.mkfifo(folder / "pipe")
    socket.socket(socket.AF_UNIX).bind(str(folder / "sock"))
    (folder / "data").mkdir()
    (folder / "data" / "solution.py").symlink_to(REPO / "regularization.py")
    (folder / ".hidden").symlink_to(REPO / "regularization.py")  # a hidden name: no glob of nbgrader's sees it
    (folder / "<img src=x onerror=alert(1)>.py").write_text("x = 1")
    (folder / "evil\u202egnp.py").write_text("x = 1")
    (folder / os.fsdecode(b"bytes\xff.txt")).write_text("x")
    with open(folder / "sparse.bin", "wb") as handle:
        handle.truncate(17 * 1024**2)
    Intake().admit(folder, RELEASE)
    assert collected(folder) == {"regularization.py"}
    assert (folder / "data" / "solution.py.link-not-collected").is_symlink()
    assert (folder / "%2Ehidden.link-not-collected").is_symlink()
    assert (folder / "pipe.refused-not-collected").is_fifo()
    assert (folder / "sparse.bin.refused-not-collected").stat().st_size == 17 * 1024**2


def test_a_link_below_a_folder_named_like_a_glob_is_not_collected(tmp_path):
    # nbgrader's ignore list is matched by globbing the file's folder: below "[x]" it matches nothing.
    folder = submission(tmp_path)
    (folder / "[x]").mkdir()
    (folder / "[x]" / "notes.py").symlink_to(REPO / "regularization.py")
    Intake().admit(folder, RELEASE)
    assert collected(folder) == {"regularization.py"}


def test_every_set_aside_name_is_safe_and_gives_back_the_original():
    for name in ["<script>alert(1)</script>.py", ".hidden", "evil\u202egnp.py", os.fsdecode(b"\xff\xfe"),
                 "a#1.py", "x" * 300, "100%.txt", "new\nline"]:
        aside = aside_name(name, ".refused-not-collected")
        assert unsafe_name(aside) is None and not aside.startswith(".") and len(aside) < 255
        if len(aside) < 80:
            assert original_name(aside) == name
    assert original_name(aside_name("x" * 300, ".refused-not-collected")) == "x" * 80


def test_timestamp_txt_that_nbgrader_cannot_read_is_set_aside(tmp_path):
    for index, make in enumerate([lambda p: os.mkfifo(p), lambda p: p.write_text("yesterday, roughly"),
                                  lambda p: p.write_text("2022-11-09 " + " " * 2000)]):
        folder = submission(tmp_path, f"s{index}")
        make(folder / "timestamp.txt")
        findings = Intake().admit(folder, RELEASE)
        assert not (folder / "timestamp.txt").exists()
        assert len(findings) == 1 and findings[0].startswith("timestamp.txt is "), findings


def test_a_folder_past_its_caps_keeps_only_the_released_files(tmp_path):
    folder = submission(tmp_path)
    (folder / "timestamp.txt").write_text("2022-11-09 17:12:00 UTC")
    for index in range(600):
        (folder / f"f{index}.txt").write_text("x")
    deep = folder.joinpath(*["d"] * 20)
    deep.mkdir(parents=True)
    os.mkfifo(deep / "pipe")
    findings = Intake().admit(folder, RELEASE)
    assert sorted(os.listdir(folder)) == ["assignment2.ipynb", "regularization.py", "timestamp.txt"]
    aside = folder.parent / ".assignment2.refused-not-collected"
    assert (aside / "f0.txt").exists()
    assert findings == ["the submission held more than 500 files and folders: only its released files and "
                        "timestamp.txt were collected; the rest is kept in .assignment2.refused-not-collected"]


def test_folders_nested_too_deep_are_a_cap_too(tmp_path):
    folder = submission(tmp_path)
    folder.joinpath(*["d"] * 9).mkdir(parents=True)
    assert "folders nested 8 deep" in Intake().admit(folder, RELEASE)[0]


def test_a_second_admission_changes_nothing_and_finds_the_same(tmp_path):
    folder = submission(tmp_path, notebook=notebook_bytes(_set(["cells", 0, "source"], "x" * 70_000)))
    os.mkfifo(folder / "pipe")
    (folder / "a<b>.py").write_text("x")
    first = Intake().admit(folder, RELEASE)
    before = snapshot(folder)
    assert Intake().admit(folder, RELEASE) == first
    assert Intake().findings(folder, RELEASE) == first
    assert snapshot(folder) == before
    assert len(first) == 3


def test_a_file_named_like_a_set_aside_one_only_adds_a_flag(tmp_path):
    folder = submission(tmp_path)
    (folder / "notes.txt.refused-not-collected").write_text("I set this aside myself")
    os.mkfifo(folder / "assignment2.ipynb.refused-not-collected")
    findings = Intake().admit(folder, RELEASE)
    assert (folder / "assignment2.ipynb").read_bytes() == notebook_bytes()
    assert findings == [
        "assignment2.ipynb is a FIFO (named pipe): not collected; assignment2.ipynb beside it was graded",
        "notes.txt.refused-not-collected was set aside and passes the intake now (named like a set-aside file, or "
        "refused under lower caps): rename it to notes.txt and autograde again to grade it"]


def test_findings_show_no_control_characters(tmp_path):
    folder = submission(tmp_path)
    (folder / "\x1b[31mred\u202e.py").write_text("x")
    [finding] = Intake().admit(folder, RELEASE)
    assert finding.isascii() and finding.isprintable() and "\\x1b[31mred\\u202e.py" in finding


# ---- student ids and the run -----------------------------------------------------------

@pytest.mark.parametrize("student, safe", [
    ("ada", True), ("ada.lovelace@stud.uni-frankfurt.de", True), ("s-1_2", True),
    ("<img src=x onerror=alert(1)>", False), ("*", False), ("a[bc]", False), (".hidden", False), ("-rf", False),
    ("ada lovelace", False), ("ädä", False), ("a" * 65, False), ("a,b", False), ("x\ny", False),
])
def test_only_student_ids_of_a_safe_form_are_graded(student, safe):
    assert Intake().safe_student_id(student) is safe


def autograde_converter(root: Path, names: list[str]) -> Autograde:
    """nbgrader's Autograde on a course at ``root`` with the submissions of ``names``, listed as nbgrader lists them."""
    for name in names:
        submission(root, name)
    release = root / "release" / "assignment2"
    shutil.copytree(RELEASE, release)
    coursedir = course_directory(root, load_config(REPO))
    coursedir.assignment_id = "assignment2"
    converter = Autograde(coursedir=coursedir, config=coursedir.config)
    converter.init_notebooks()
    return converter


def test_the_exporter_drops_unsafe_ids_from_the_run_and_sets_them_aside(tmp_path, caplog):
    converter = autograde_converter(tmp_path, ["ada", "<b onclick=x>", "*"])
    with caplog.at_level(logging.WARNING):
        IntakeExporter(parent=converter, config=converter.config)
    assert [Path(folder).parent.name for folder in converter.assignments] == ["ada"]
    assert (tmp_path / "submitted" / "<b onclick=x>" / ".assignment2.unsafe-id-not-collected").is_dir()
    assert not (tmp_path / "submitted" / "*" / "assignment2").exists()
    assert "Not grading the submission of student id '<b onclick=x>': not a safe id" in caplog.text


def test_the_exporter_refuses_to_read_a_file_that_became_special(tmp_path):
    converter = autograde_converter(tmp_path, ["ada"])
    exporter = IntakeExporter(parent=converter, config=converter.config)
    path = tmp_path / "submitted" / "ada" / "assignment2" / "assignment2.ipynb"
    path.unlink()
    os.mkfifo(path)
    with pytest.raises(IntakeRefused, match="FIFO"):
        exporter.from_filename(str(path), {"nbgrader": {"student": "ada", "assignment": "assignment2"}})


def test_the_exporter_hands_the_findings_to_the_preprocessors(tmp_path):
    converter = autograde_converter(tmp_path, ["ada"])
    folder = tmp_path / "submitted" / "ada" / "assignment2"
    os.mkfifo(folder / "pipe")
    exporter = IntakeExporter(parent=converter, config=converter.config)
    _, resources = exporter.from_filename(str(folder / "assignment2.ipynb"),
                                          {"nbgrader": {"student": "ada", "assignment": "assignment2"}})
    assert resources["intake"]["findings"] == ["pipe is a FIFO (named pipe): not collected"]


def test_a_submission_the_intake_cannot_change_is_left_out_of_the_run(tmp_path, monkeypatch, caplog):
    converter = autograde_converter(tmp_path, ["ada", "ben"])
    os.mkfifo(tmp_path / "submitted" / "ben" / "assignment2" / "pipe")

    def read_only(*args):
        raise OSError(30, "Read-only file system")
    monkeypatch.setattr(os, "rename", read_only)
    with caplog.at_level(logging.ERROR):
        IntakeExporter(parent=converter, config=converter.config)
    assert [Path(folder).parent.name for folder in converter.assignments] == ["ada"]
    assert "Not grading ben: the intake cannot admit" in caplog.text and "Read-only file system" in caplog.text


def test_the_parallel_runner_sets_aside_an_unsafe_id_before_using_it_as_a_glob(tmp_path):
    import io

    from grading.tools.parallel_autograde import submitted_students

    converter = autograde_converter(tmp_path, ["ada", "*", "[ab]"])
    out = io.StringIO()
    assert submitted_students(converter.coursedir, "assignment2", out) == ["ada"]
    assert "Not grading the submission of student id '*'" in out.getvalue()
    assert (tmp_path / "submitted" / "*" / ".assignment2.unsafe-id-not-collected").is_dir()


def test_the_course_configuration_wires_the_intake_in():
    config = load_config(REPO)
    assert config.Autograde.exporter_class == "grading.intake.exporter.IntakeExporter"
    assert set(IGNORE) <= set(config.CourseDirectory.ignore)
