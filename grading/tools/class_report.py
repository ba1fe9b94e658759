"""A report on one assignment for the instructor, read from the gradebook.

Usage (from the course folder, after autograding)::

    python -m grading.tools.class_report assignment2 [--out reports/assignment2]

Writes ``report.md`` with two figures, ``scores.png`` (the distribution of
total scores) and ``checks.png`` (how many students failed each check), and
the same report as ``report.html``: one self-contained page (tables, and both
figures inline as base64 PNG; no external reference) to open in a browser or
upload to the course page:

- per student: autograded and manual points, total, submission time, late
  status, integrity flag (students on the roster without a submission are
  listed as missing), and the cells that passed in the student's notebook but
  failed the trusted re-grade (``IntegrityReport.regrade_only``: the student
  saw those tests pass and still lost the points);
- per graded check, sorted by how many students failed it, the most common
  message those students saw, and how many of them had seen the check's
  tests pass in their notebook: the list to discuss in the next lecture;
- a link to ``similarity.html`` beside it, the similarity report of
  :mod:`grading.tools.similarity`.

Scores, students, due date and lateness come from the gradebook through
nbgrader's API; messages and flags from the autograded notebooks and their
``integrity.json``.
"""

from __future__ import annotations

import argparse
import base64
import collections
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
from nbgrader.api import Gradebook, MissingEntry  # noqa: E402
from nbgrader.coursedir import CourseDirectory  # noqa: E402

from grading.course import course_directory  # noqa: E402
from grading.integrity.report import IntegrityReport  # noqa: E402


@dataclass
class StudentRow:
    """One roster entry's result; scores are None where there is nothing to count."""

    student_id: str
    name: str
    submitted: bool = False
    timestamp: object = None
    seconds_late: float = 0.0
    autograded: float = 0.0
    manual: float = None
    manual_pending: int = 0
    flagged: object = None
    cells: dict = field(default_factory=dict)  # grade_id -> (score, max, message)
    regrade_only: dict = field(default_factory=dict)  # grade_id -> the re-grade's message

    @property
    def total(self) -> float:
        return self.autograded + (self.manual or 0.0)


def _messages(notebook_path):
    """``{grade_id: error message}`` of the graded cells that failed in an autograded notebook."""
    if not notebook_path.is_file():
        return {}
    messages = {}
    for cell in nbformat.read(notebook_path, as_version=4).cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                messages[grade_id] = (output["evalue"] if output["ename"] == "CheckFailed"
                                      else f"{output['ename']}: {output['evalue']}").strip()
    return messages


def collect(coursedir: CourseDirectory, assignment_id: str) -> tuple[list[StudentRow], object]:
    """The rows of every student on the roster, and the assignment's due date."""
    rows = []
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        assignment = gradebook.find_assignment(assignment_id)
        duedate = assignment.duedate
        notebook_names = [nb.name for nb in assignment.notebooks]
        for student in gradebook.students:
            row = StudentRow(student.id, f"{student.first_name or ''} {student.last_name or ''}".strip())
            rows.append(row)
            try:
                submission = gradebook.find_submission(assignment_id, student.id)
            except MissingEntry:
                continue
            row.submitted = True
            row.timestamp = submission.timestamp
            row.seconds_late = submission.total_seconds_late
            folder = Path(coursedir.format_path(coursedir.autograded_directory, student.id, assignment_id))
            messages = {}
            for name in notebook_names:
                messages.update(_messages(folder / f"{name}.ipynb"))
            report = IntegrityReport.read(folder)
            if report is not None:
                row.flagged = report.flagged
                row.regrade_only = report.regrade_only()
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.cell_type == "code":
                        row.autograded += grade.score
                        row.cells[grade.name] = (grade.score, grade.max_score, messages.get(grade.name, ""))
                    elif grade.needs_manual_grade and grade.manual_score is None:
                        row.manual_pending += 1
                    else:
                        row.manual = (row.manual or 0.0) + grade.score
    return rows, duedate


def check_failures(rows: list[StudentRow]) -> list[tuple]:
    """``[(grade_id, failed, submitted, most common message, its count, failed only in the re-grade)]``.

    Most failed first. The last item counts the failing students whose
    notebook passed the check's tests (``StudentRow.regrade_only``).
    """
    submitted = [row for row in rows if row.submitted]
    grade_ids = sorted({g for row in submitted for g in row.cells})
    table = []
    for grade_id in grade_ids:
        failing = [row.cells[grade_id] for row in submitted
                   if grade_id in row.cells and row.cells[grade_id][0] < row.cells[grade_id][1]]
        counts = collections.Counter(message for _, _, message in failing if message)
        message, count = counts.most_common(1)[0] if counts else ("", 0)
        regrade_only = sum(1 for row in submitted if grade_id in row.regrade_only)
        table.append((grade_id, len(failing), len(submitted), message, count, regrade_only))
    return sorted(table, key=lambda item: (-item[1], item[0]))


def _late(row, duedate):
    if not row.submitted:
        return "missing"
    if row.timestamp is None:
        return "no timestamp"
    if duedate is None:
        return "no due date"
    if row.seconds_late > 0:
        minutes = row.seconds_late / 60
        if minutes < 120:
            return f"late by {minutes:.0f} min"
        return f"late by {minutes / 60:.1f} h" if minutes < 48 * 60 else f"late by {minutes / 1440:.1f} days"
    return "on time"


#: What makes Markdown (with GitHub's tables and strikethrough, and math) read text as markup: HTML and
#: entities, links and images, emphasis (``_`` only at a word's edge), code spans, the cell separator,
#: ``$`` math and the backslash itself. CommonMark makes each literal with a backslash before it.
_MARKDOWN_MARKUP = re.compile(r"([\\`*\[\]<>&|~$]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")


def _cell(text):
    """``text`` as one Markdown table cell of plain text: one line, every markup character escaped.

    A check's message is chosen by the student's code (an exception's text),
    and Markdown viewers keep inline HTML, links, images and math: unescaped,
    it could add rows with other scores, or fetch a URL as the grader.
    """
    return _MARKDOWN_MARKUP.sub(r"\\\1", " ".join(str(text).splitlines()))


def plot_scores(rows: list[StudentRow], path: str | Path, max_total: float) -> None:
    totals = [row.total for row in rows if row.submitted]
    figure, axes = plt.subplots(figsize=(6, 3.5))
    bins = [x / 2 for x in range(0, int(2 * max_total) + 2)]
    axes.hist(totals, bins=bins, color="#4477aa", edgecolor="white", align="left")
    axes.set_xlabel(f"total points (of {max_total:g}; manual points counted where graded)")
    axes.set_ylabel("students")
    axes.set_title(f"Score distribution ({len(totals)} submissions)")
    axes.yaxis.get_major_locator().set_params(integer=True)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def plot_checks(failures: list[tuple], path: str | Path) -> None:
    figure, axes = plt.subplots(figsize=(6, 3.5))
    names = [grade_id for grade_id, *_ in failures][::-1]
    counts = [failed for _, failed, *_ in failures][::-1]
    axes.barh(names, counts, color="#cc6677")
    axes.set_xlabel("students who failed the check")
    axes.set_title("Failed checks")
    axes.xaxis.get_major_locator().set_params(integer=True)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def write_report(coursedir: CourseDirectory, assignment_id: str, out: str | Path) -> Path:
    """Write ``report.md``, ``report.html``, ``scores.png`` and ``checks.png`` into ``out``.

    Returns the path of ``report.md``.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows, duedate = collect(coursedir, assignment_id)
    failures = check_failures(rows)
    auto_max, manual_max = maxima(coursedir, assignment_id)
    max_total = auto_max + manual_max
    plot_scores(rows, out / "scores.png", max_total)
    plot_checks(failures, out / "checks.png")

    submitted = [row for row in rows if row.submitted]
    summary = (
        f"Due: {duedate} (UTC). Roster: {len(rows)} students, {len(submitted)} submissions, "
        f"{sum(1 for r in submitted if r.seconds_late > 0)} late, "
        f"{sum(1 for r in rows if not r.submitted)} missing, "
        f"{sum(1 for r in rows if r.flagged)} flagged by the integrity check, "
        f"{sum(1 for r in rows if r.regrade_only)} with cells that passed in their notebook "
        "but failed the trusted re-grade."
    )
    students = [_student_cells(row, duedate) for row in sorted(rows, key=lambda r: r.student_id)]
    checks = [[grade_id, f"{failed} of {total}", f"{message} ({count})" if message else "", str(regrade_only)]
              for grade_id, failed, total, message, count, regrade_only in failures]
    columns = student_columns(auto_max, manual_max)
    (out / "report.md").write_text(_markdown(assignment_id, summary, columns, students, checks), encoding="utf-8")
    (out / "report.html").write_text(_html(assignment_id, summary, columns, students, checks, out),
                                     encoding="utf-8")
    return out / "report.md"


def maxima(coursedir: CourseDirectory, assignment_id: str) -> tuple[float, float]:
    """``(autograded, manually graded)`` points of the assignment, as the gradebook holds them."""
    auto = manual = 0.0
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        for notebook in gradebook.find_assignment(assignment_id).notebooks:
            for cell in notebook.grade_cells:
                if cell.cell_type == "code":
                    auto += cell.max_score
                else:
                    manual += cell.max_score
    return auto, manual


def student_columns(auto_max: float, manual_max: float) -> list[str]:
    """The header of the students' table, with the assignment's maxima."""
    return ["student", "name", f"autograded (of {auto_max:g})", f"manual (of {manual_max:g})", "total",
            "submitted (UTC)", "late", "integrity", REGRADE_ONLY]


#: The column of the cells that passed in the student's notebook but failed the trusted re-grade.
REGRADE_ONLY = "passed in the notebook, failed the re-grade"
STUDENTS_NOTE = (f"\"{REGRADE_ONLY}\": the graded cells whose tests passed when the student ran the notebook, "
                 "but which failed the trusted re-grade on the hidden inputs, so they scored 0. The student saw "
                 "those tests pass; the re-grade's message for each is in integrity.json beside the autograded "
                 "notebook (\"cells\").")
#: The similarity report (``python -m grading.tools.similarity``), written beside this report.
SIMILARITY_PAGE = "similarity.html"
SIMILARITY_NOTE = ("who shares unusual code or written answers with whom, pairs side by side (made by "
                   "python -m grading.tools.similarity <assignment>, beside this report; for graders only).")
CHECK_COLUMNS = ["check", "failed", "most common message", REGRADE_ONLY]
CHECKS_NOTE = ("The message is the one most of the failing students saw (how many in brackets); the last column "
               "counts the failing students whose notebook had passed the check's tests.")


def _student_cells(row, duedate):
    """One row of the students' table, as text."""
    manual = "-" if not row.submitted else (
        f"{row.manual_pending} to grade" if row.manual_pending else f"{row.manual:g}")
    integrity = {True: "FLAGGED", False: "ok", None: "-"}[row.flagged]
    return [str(x) for x in [
        row.student_id, row.name, f"{row.autograded:g}" if row.submitted else "-", manual,
        f"{row.total:g}" if row.submitted else "-", row.timestamp or "-", _late(row, duedate), integrity,
        _regrade_only(row)]]


def _regrade_only(row):
    """The students' table's last cell: the grade ids that failed only in the re-grade, or ``-``."""
    if not row.regrade_only:
        return "-"
    return f"{len(row.regrade_only)}: {', '.join(row.regrade_only)}"


def _markdown_table(header, rows, align):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    return lines + ["| " + " | ".join(_cell(x) for x in row) + " |" for row in rows]


def _markdown(assignment_id, summary, columns, students, checks):
    """The report as Markdown; the figures are the PNG files beside it."""
    lines = [f"# Class report: {assignment_id}", "", summary, "", "## Students", "", STUDENTS_NOTE, ""]
    lines += _markdown_table(columns, students, [":--", ":--", "--:", "--:", "--:", ":--", ":--", ":--", ":--"])
    lines += ["", "## Score distribution", "", "![score distribution](scores.png)", "",
              "## Checks, most failed first", "", CHECKS_NOTE, ""]
    lines += _markdown_table(CHECK_COLUMNS, checks, [":--", "--:", ":--", "--:"])
    lines += ["", "![failed checks](checks.png)", "", "## Similarity", "",
              f"[{SIMILARITY_PAGE}]({SIMILARITY_PAGE}): {SIMILARITY_NOTE}", ""]
    return "\n".join(lines)


def _html_table(header, rows):
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(x)}</td>" for x in row) + "</tr>\n" for row in rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>"


def _inline_png(path, alt):
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _html(assignment_id, summary, columns, students, checks, out):
    """The report as one HTML page that needs no other file: the figures in ``out`` are inlined."""
    title = html.escape(f"Class report: {assignment_id}")
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8">',
        f"<title>{title}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:1em auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}"
        "img{max-width:100%}</style>",
        "</head>",
        "<body>",
        f"<h1>{title}</h1>",
        f"<p>{html.escape(summary)}</p>",
        "<h2>Students</h2>",
        f"<p>{html.escape(STUDENTS_NOTE)}</p>",
        _html_table(columns, students),
        "<h2>Score distribution</h2>",
        _inline_png(out / "scores.png", "score distribution"),
        "<h2>Checks, most failed first</h2>",
        f"<p>{html.escape(CHECKS_NOTE)}</p>",
        _html_table(CHECK_COLUMNS, checks),
        _inline_png(out / "checks.png", "failed checks"),
        "<h2>Similarity</h2>",
        f'<p><a href="{SIMILARITY_PAGE}">{SIMILARITY_PAGE}</a>: {html.escape(SIMILARITY_NOTE)}</p>',
        "</body>",
        "</html>",
        "",
    ])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?", default="assignment2")
    parser.add_argument("--course", default=".", help="the course folder (default: here)")
    parser.add_argument("--out", help="output folder (default: reports/<assignment>)")
    args = parser.parse_args(argv)
    coursedir = course_directory(args.course)
    out = Path(args.out) if args.out else Path(coursedir.root) / "reports" / args.assignment
    report = write_report(coursedir, args.assignment, out)
    print(f"Wrote {report} and {report.with_suffix('.html')}")


if __name__ == "__main__":
    main()
