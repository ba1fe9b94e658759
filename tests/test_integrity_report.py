"""IntegrityReport: the one definition of integrity.json and of the flagged-students summary."""

import json

from grading.integrity.report import FILE_NAME, IntegrityReport, flagged_summary


def test_a_report_survives_writing_and_reading(tmp_path):
    report = IntegrityReport("ada", sandbox="bubblewrap", module_sha256="ab" * 32, flagged=True,
                             reasons=["regularization.py line 3: opens files (open)"],
                             cells={"l1_loss": {"max": 1, "notebook": 1, "isolated": 0, "score": 0,
                                                "message": "R is wrong"}})
    path = report.write(tmp_path)
    assert path.name == FILE_NAME
    assert IntegrityReport.read(tmp_path) == report


def test_reading_a_folder_without_a_report_gives_none(tmp_path):
    assert IntegrityReport.read(tmp_path) is None


def test_fields_a_newer_grader_adds_are_ignored_when_reading(tmp_path):
    (tmp_path / FILE_NAME).write_text(json.dumps({"student": "ben", "flagged": False, "future": 1}))
    assert IntegrityReport.read(tmp_path) == IntegrityReport("ben")


def test_the_summary_lists_flagged_students_only_in_order_with_their_first_reason():
    reports = [IntegrityReport("cem", flagged=True, reasons=["a", "b", "c"]),
               IntegrityReport("ada"),
               IntegrityReport("ben", flagged=True, reasons=["x"])]
    assert flagged_summary(reports) == [
        "Integrity check: 2 submission(s) flagged for review (integrity.json beside each autograded notebook):",
        "  ben: x",
        "  cem: a (+2 more)",
    ]
    assert flagged_summary([IntegrityReport("ada")]) == []


def test_regrade_only_lists_the_cells_the_notebook_passed_and_the_regrade_failed_in_order():
    report = IntegrityReport("lia", cells={
        "l1_loss": {"max": 1, "notebook": 1, "isolated": 0, "score": 0, "message": "got list"},
        "l1_gradient": {"max": 1, "notebook": 0, "isolated": 0, "score": 0, "message": "dW is wrong"},
        "l1_bias_and_input": {"max": 0.5, "notebook": 0.5, "isolated": 0.5, "score": 0.5, "message": ""},
        "l1_vectorized": {"max": 0.5, "notebook": 0.5, "isolated": 0, "score": 0, "message": "loops"},
    })
    assert report.regrade_only() == {"l1_loss": "got list", "l1_vectorized": "loops"}


def test_regrade_only_skips_entries_not_written_as_the_grader_writes_them():
    report = IntegrityReport("ben", cells={"a": "not a dict", "b": {"notebook": "1", "score": 0},
                                           "c": {"notebook": True, "score": 0}, "d": {"score": 0}})
    assert report.regrade_only() == {}
