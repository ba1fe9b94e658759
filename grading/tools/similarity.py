"""Who copied from whom: the class's similarity report, for code and written answers, made on this machine.

Usage (from the course folder, after collecting; autograding is not needed)::

    python -m grading.tools.similarity assignment2 [--course DIR] [--threshold 0.5] [--from autograded]

Reads each student's modules (the released ``*.py`` files) and written
answers (the released notebooks' answer cells: markdown cells that are graded
solution cells) from ``submitted/`` (or ``autograded/``), compares every
student with every other per part (``"code"``: the modules; each written
answer with the same answer of the others), and writes, beside the gradebook,
never into ``feedback/``:

- ``reports/<assignment>/similarity.json``: the pairs, highest score first,
  ``{"a", "b", "part", "score", "evidence": [{"file", "a_lines", "b_lines",
  "shared"}]}``, every pair scoring at least ``SimilarityReport.listed_from``;
- ``reports/<assignment>/similarity.html``: the pairs scoring at least
  ``SimilarityReport.threshold``, side by side, the matching regions marked,
  each student linking to their submission in formgrader, and the files that
  were not compared and why.

How the score is made: :mod:`grading.similarity.compare`. The options are
traits, ``c.SimilarityReport.<name>`` in ``nbgrader_config.py``; the command
line overrides a few. Every file is read as untrusted: student folders whose
name is not a safe student id, links, special files, files over the caps and
text that is not UTF-8 are skipped, each with its reason.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from traitlets import Bool, Float, Integer, Unicode
from traitlets.config import LoggingConfigurable

from grading.course import course_directory, load_config
from grading.intake.files import IntakeRefused, read_regular, shown
from grading.intake.submission import Intake
from grading.similarity.compare import Document, Settings, Vocabulary, compare, spans
from grading.similarity.documents import Segment, code_segment, text_segment
from grading.similarity.page import render

SOLUTION_MARKS = ("### BEGIN SOLUTION", "### END SOLUTION")
EXPLANATION = (
    "Score (0 to 1): how much of the two submissions the pair shares (in fingerprints: runs of a few tokens of "
    "normalized code, or of a few words of a normalized sentence), and how much of what is individual in them, "
    "each shared fingerprint weighted by how rare it is in the class: 1 if at most a small group of students has "
    "it, less the more students have it, 0 if it is common. The released stub and the reference solution are "
    "discounted from code, the assignment's own text from written answers. Names, comments, blank lines, "
    "the order of functions and sentences, and common synonyms do not change the score. A high score is a "
    "reason to look, not a verdict: read both submissions."
)


class SimilarityReport(LoggingConfigurable):
    """The similarity report's options (``c.SimilarityReport.<name>``)."""

    threshold = Float(0.7, help="Pairs scoring at least this (0..1) are shown side by side in similarity.html. "
                                "On the synthetic class of tests/test_similarity.py (64 students, six seeds), "
                                "every planted copy scores 0.84 or more, no honest pair more than 0.60.").tag(
        config=True)
    listed_from = Float(0.1, help="Pairs scoring at least this are listed in similarity.json.").tag(config=True)
    discount = Bool(True, help="Discount the released stub and the reference solution (code) and the released "
                               "notebook's text (written answers). Off only to see what they add.").tag(config=True)
    code_k = Integer(5, help="Tokens per code fingerprint.").tag(config=True)
    text_k = Integer(3, help="Words per written-answer fingerprint (after stop words are dropped).").tag(config=True)
    window = Integer(1, help="copydetect's winnowing window, in fingerprints (1: keep all; the documents are "
                             "small, and a larger window makes scores vary between runs).").tag(config=True)
    group = Integer(3, help="Fingerprints shared by at most this many students weigh 1 (a pair, a triangle).").tag(
        config=True)
    common_share = Float(0.1, help="Fingerprints held by more than this share of the class weigh 0.").tag(config=True)
    code_floor = Integer(10, help="A code part counts as at least this many fingerprints when it is scored.").tag(
        config=True)
    text_floor = Integer(10, help="A written answer counts as at least this many fingerprints.").tag(config=True)
    max_module_bytes = Integer(64 * 1024, help="A larger module is not compared (skipped with its reason).").tag(
        config=True)
    max_notebook_bytes = Integer(8 * 1024**2, help="A larger notebook is not read (its answers are skipped).").tag(
        config=True)
    max_answer_bytes = Integer(16 * 1024, help="A larger written answer is not compared.").tag(config=True)
    formgrader_url = Unicode("http://localhost:8888/", help="Where formgrader is served (the Jupyter server's URL "
                                                            "with its base URL): each pair links there.").tag(
        config=True)

    def settings(self, kind: str) -> Settings:
        return Settings(k=self.code_k if kind == "code" else self.text_k, window=self.window, group=self.group,
                        common_share=self.common_share, floor=self.code_floor if kind == "code" else self.text_floor,
                        discount=self.discount)


@dataclass
class Assignment:
    """What the release holds: modules (stub and reference text), notebooks, the written answers' grade ids."""

    modules: dict = field(default_factory=dict)  # name -> (stub text, reference text)
    notebooks: list = field(default_factory=list)
    answers: dict = field(default_factory=dict)  # grade id -> notebook name
    notebook_text: dict = field(default_factory=dict)  # notebook name -> the released notebook's markdown


@dataclass
class Class:
    """Every student's parts, and what was not compared."""

    parts: dict = field(default_factory=dict)  # part -> [Document]
    skipped: list = field(default_factory=list)


def _markdown_cells(notebook: dict) -> list[dict]:
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise ValueError("it has no list of cells")
    return [cell for cell in cells if isinstance(cell, dict) and cell.get("cell_type") == "markdown"]


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    if isinstance(source, str):
        return source
    raise ValueError("a cell's source is not text")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _whole_characters(text: str) -> str:
    """``text`` with each lone surrogate (JSON may hold ``"\\ud800"``) replaced by U+FFFD, one for one.

    Python reads such a half of a UTF-16 pair into a ``str`` that cannot be
    encoded; the page's sanitizer and its UTF-8 file would refuse the whole
    report. Replacing one character by one keeps every offset.
    """
    return _SURROGATE.sub("\ufffd", text)


def _grade_id(cell: dict) -> str | None:
    """The cell's grade id if it has one that is text (a handed-in notebook's metadata may hold any JSON value)."""
    meta = cell.get("metadata")
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return grade_id if isinstance(grade_id, str) else None


def read_assignment(coursedir: CourseDirectory, assignment: str) -> Assignment:
    """The released files of ``assignment`` and the reference modules in ``source/``."""
    release = Path(coursedir.format_path(coursedir.release_directory, ".", assignment))
    source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
    result = Assignment()
    for path in sorted(release.glob("*.py")):
        reference_path = source / path.name
        reference = reference_path.read_text(encoding="utf-8") if reference_path.is_file() else ""
        reference = "".join(line for line in reference.splitlines(keepends=True) if line.strip() not in SOLUTION_MARKS)
        result.modules[path.name] = (path.read_text(encoding="utf-8"), reference)
    for path in sorted(release.glob("*.ipynb")):
        result.notebooks.append(path.name)
        cells = _markdown_cells(json.loads(path.read_text(encoding="utf-8")))
        result.notebook_text[path.name] = "\n\n".join(_source(cell) for cell in cells)
        for cell in cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("solution") and meta.get("grade"):
                result.answers[meta["grade_id"]] = path.name
    return result


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise IntakeRefused("it is not UTF-8 text") from None


def read_class(coursedir: CourseDirectory, assignment: str, released: Assignment, options: SimilarityReport,
               folder_name: str = "submitted") -> Class:
    """Every safe student folder's modules and answers under ``<folder_name>/<student>/<assignment>/``."""
    result = Class()
    result.parts["code"] = []
    for grade_id in released.answers:
        result.parts[grade_id] = []
    top = Path(coursedir.root) / folder_name
    intake = Intake(parent=options)
    entries = sorted(os.listdir(top)) if top.is_dir() else []
    for student in entries:
        skip = lambda file, reason, student=student: result.skipped.append(  # noqa: E731
            {"student": shown(student), "file": file, "reason": reason})
        if student.startswith("."):
            continue
        if not intake.safe_student_id(student):
            skip("-", "the folder's name is not a safe student id")
            continue
        folder = top / student / assignment
        try:
            if not stat.S_ISDIR(os.lstat(top / student).st_mode) or not stat.S_ISDIR(os.lstat(folder).st_mode):
                skip("-", "no submission folder (or a link in place of one)")
                continue
        except OSError:
            skip("-", "no submission folder")
            continue
        segments = []
        for name, _ in released.modules.items():
            try:
                segments.append(code_segment(name, _decode(read_regular(folder / name, options.max_module_bytes))))
            except FileNotFoundError:
                skip(name, "not handed in")
            except IntakeRefused as refused:
                skip(name, str(refused))
            except OSError as error:
                skip(name, f"it cannot be read ({error.strerror})")
        if segments:
            result.parts["code"].append(Document(student, "code", segments))
        for notebook_name in released.notebooks:
            try:
                notebook = json.loads(_decode(read_regular(folder / notebook_name, options.max_notebook_bytes)))
                answers = {_grade_id(cell): cell for cell in _markdown_cells(notebook)}
            except FileNotFoundError:
                skip(notebook_name, "not handed in")
                continue
            except (IntakeRefused, ValueError, RecursionError) as error:
                skip(notebook_name, str(error)[:200] or "it is not a notebook")
                continue
            except OSError as error:
                skip(notebook_name, f"it cannot be read ({error.strerror})")
                continue
            for grade_id, where in released.answers.items():
                if where != notebook_name:
                    continue
                label = f"{notebook_name}: {grade_id}"
                if grade_id not in answers:
                    skip(label, "the answer cell is missing")
                    continue
                try:
                    text = _whole_characters(_source(answers[grade_id]))
                except ValueError as error:
                    skip(label, str(error))
                    continue
                if len(text.encode("utf-8", "surrogatepass")) > options.max_answer_bytes:
                    skip(label, f"the answer is longer than the cap of {options.max_answer_bytes} bytes")
                    continue
                result.parts[grade_id].append(Document(student, grade_id, [text_segment(label, text)]))
    return result


def boilerplate(released: Assignment, part: str) -> list[Segment]:
    """What is discounted in ``part``: the stub and reference of each module, or the released notebook's text."""
    if part == "code":
        return [code_segment(name, text) for name, texts in released.modules.items() for text in texts]
    notebook = released.answers[part]
    return [text_segment(f"{notebook}: {part}", released.notebook_text[notebook])]


def _lines(text: str, span: tuple[int, int]) -> list[int]:
    return [text.count("\n", 0, span[0]) + 1, text.count("\n", 0, max(span[0], span[1] - 1)) + 1]


def formgrader_links(coursedir: CourseDirectory, assignment: str, released: Assignment, base: str) -> dict:
    """``{student: URL}`` of each student's first notebook in formgrader (their submissions' page if unknown)."""
    links = {}
    try:
        from nbgrader.api import Gradebook

        with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
            for submission in gradebook.find_assignment(assignment).submissions:
                for notebook in submission.notebooks:
                    if notebook.name + ".ipynb" == (released.notebooks or [""])[0]:
                        links[submission.student_id] = f"{base.rstrip('/')}/formgrader/submissions/{notebook.id}/"
    except Exception:  # noqa: BLE001 (no gradebook yet, or no such assignment in it: link to the student's page)
        pass
    return links


def run(course: str | Path, assignment: str, options: SimilarityReport | None = None,
        folder_name: str = "submitted", out: str | Path | None = None) -> dict:
    """Write ``similarity.json`` and ``similarity.html``; return ``{"pairs", "shown", "skipped", "json", "html"}``."""
    coursedir = course_directory(course)
    options = options or SimilarityReport(config=load_config(course))
    released = read_assignment(coursedir, assignment)
    klass = read_class(coursedir, assignment, released, options, folder_name)
    out = Path(out) if out else Path(coursedir.root) / "reports" / assignment
    out.mkdir(parents=True, exist_ok=True)
    vocabulary = Vocabulary()
    listed, shown_pairs = [], []
    links = formgrader_links(coursedir, assignment, released, options.formgrader_url)
    link = lambda student: links.get(student) or (  # noqa: E731
        f"{options.formgrader_url.rstrip('/')}/formgrader/manage_students/{student}/{assignment}")
    for part, documents in klass.parts.items():
        by_student = {document.student: document for document in documents}
        kind = "code" if part == "code" else "text"
        for pair in compare(documents, boilerplate(released, part), options.settings(kind), vocabulary):
            if pair.score < options.listed_from:
                break
            first, second = by_student[pair.a], by_student[pair.b]
            spans_a, spans_b = spans(first, pair.marks_a), spans(second, pair.marks_b)
            evidence = []
            for index in sorted(set(spans_a) | set(spans_b)):
                segment_a = first.segments[index] if index in spans_a else None
                segment_b = second.segments[index] if index in spans_b else None
                label = (segment_a or segment_b).label
                evidence.append({
                    "file": label,
                    "a_lines": [_lines(segment_a.text, s) for s in spans_a.get(index, [])] if segment_a else [],
                    "b_lines": [_lines(segment_b.text, s) for s in spans_b.get(index, [])] if segment_b else [],
                    "a_text": [segment_a.text[s:e] for s, e in spans_a.get(index, [])] if segment_a else [],
                    "b_text": [segment_b.text[s:e] for s, e in spans_b.get(index, [])] if segment_b else [],
                })
            listed.append({"a": pair.a, "b": pair.b, "part": part, "score": pair.score,
                           "shared_weight": pair.weight, "evidence": evidence})
            if pair.score >= options.threshold:
                shown_pairs.append({
                    "a": pair.a, "b": pair.b, "part": part, "score": pair.score,
                    "link_a": link(pair.a), "link_b": link(pair.b),
                    "side_a": [(s.label, s.text, spans_a.get(i, [])) for i, s in enumerate(first.segments)],
                    "side_b": [(s.label, s.text, spans_b.get(i, [])) for i, s in enumerate(second.segments)],
                })
    listed.sort(key=lambda item: (-item["score"], item["part"], item["a"], item["b"]))
    shown_pairs.sort(key=lambda item: (-item["score"], item["part"], item["a"], item["b"]))
    students = len({d.student for documents in klass.parts.values() for d in documents})
    summary = (f"{students} students compared in {len(klass.parts)} parts ({', '.join(klass.parts)}); "
               f"{len(shown_pairs)} pairs score {options.threshold:g} or more (the threshold, "
               f"c.SimilarityReport.threshold); {len(klass.skipped)} files not compared (listed at the end); "
               f"stub and reference {'discounted' if options.discount else 'NOT discounted'}.")
    json_path, html_path = out / "similarity.json", out / "similarity.html"
    json_path.write_text(json.dumps(listed, indent=1, ensure_ascii=True) + "\n", encoding="utf-8")
    html_path.write_text(render(assignment, options.threshold, shown_pairs, klass.skipped, summary, EXPLANATION),
                         encoding="utf-8")
    return {"pairs": listed, "shown": shown_pairs, "skipped": klass.skipped, "json": json_path, "html": html_path,
            "summary": summary}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?", default="assignment2")
    parser.add_argument("--course", default=".", help="the course folder (default: here)")
    parser.add_argument("--threshold", type=float, help="show pairs scoring at least this (default: the trait, 0.7)")
    parser.add_argument("--from", dest="folder", default="submitted", choices=["submitted", "autograded"],
                        help="read the collected submissions (default) or the autograded ones")
    parser.add_argument("--no-discount", action="store_true", help="do not discount the stub and the reference")
    parser.add_argument("--formgrader-url", help="where formgrader is served (default http://localhost:8888/)")
    args = parser.parse_args(argv)
    options = SimilarityReport(config=load_config(args.course))
    if args.threshold is not None:
        options.threshold = args.threshold
    if args.no_discount:
        options.discount = False
    if args.formgrader_url:
        options.formgrader_url = args.formgrader_url
    result = run(args.course, args.assignment, options, args.folder)
    for item in result["skipped"]:
        print(f"not compared: {item['student']} {item['file']}: {item['reason']}")
    print(result["summary"])
    print(f"Wrote {result['json']} and {result['html']}")


if __name__ == "__main__":
    main()
