"""The similarity report on a synthetic class: planted copies on top, honest pairs below the threshold.

The class (``tests/support/similarity_class.py``): 53 honest students (common
solutions, the catalogue's correct variants and mistakes, two who handed in last
year's published solution, three who left a function as released; answers in
their own words) and 11 students in four planted pairs and one triangle, each
copy disguised (names, order of functions, comments and blank lines; synonyms,
order of sentences). Written as files, never autograded: the report reads
``submitted/``. Runs in seconds (no nbgrader, kernel or browser).
"""

import json
import os

import pytest
from bs4 import BeautifulSoup

from grading.similarity.compare import Document, Settings, compare
from grading.similarity.documents import code_segment, text_segment
from grading.tools.similarity import SimilarityReport, run
from support.similarity_class import (
    ORIGINALS,
    PLANTED_CODE,
    build_class,
    disguise_answer,
    disguise_code,
    planted_pairs,
)

PARTS = ("code", "l1_explanation", "l2_explanation")


def key(pair):
    return (*sorted((pair["a"], pair["b"])), pair["part"])


def evaluate(result):
    """``(planted scores, honest scores)`` of a report's listed pairs (an unlisted planted pair scores 0)."""
    listed = {key(pair): pair["score"] for pair in result["pairs"]}
    planted = planted_pairs()
    return ({pair: listed.get(pair, 0.0) for pair in planted},
            {pair: score for pair, score in listed.items() if pair not in planted})


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return build_class(tmp_path_factory.mktemp("similarity") / "course")


@pytest.fixture(scope="module")
def report(course):
    return run(course, "assignment2", SimilarityReport())


def test_the_synthetic_class_is_large_enough_and_has_every_part(report):
    students = {path.name for path in (report["json"].parents[2] / "submitted").iterdir()}
    assert len(students) >= 60
    assert not report["skipped"]
    assert {part for _, _, part in planted_pairs()} == set(PARTS)


def test_every_planted_copy_ranks_above_every_honest_pair_and_no_honest_pair_reaches_the_threshold(report):
    planted, honest = evaluate(report)
    threshold = SimilarityReport().threshold
    assert min(planted.values()) > max(honest.values()), (
        f"a planted copy {min(planted, key=planted.get)} ranks below an honest pair {max(honest, key=honest.get)}")
    assert min(planted.values()) >= threshold, "recall at the threshold: a planted copy is not shown"
    assert max(honest.values()) < threshold, "precision at the threshold: an honest pair is shown"
    shown = {key(pair) for pair in report["shown"]}
    assert shown == set(planted), "the page shows exactly the planted copies"


def test_without_discounting_stub_and_reference_honest_pairs_reach_the_threshold(course, tmp_path):
    """The discount is what keeps last year's solution (handed in by two honest students) off the report."""
    result = run(course, "assignment2", SimilarityReport(discount=False), out=tmp_path)
    planted, honest = evaluate(result)
    threshold = SimilarityReport().threshold
    above = [pair for pair, score in honest.items() if score >= threshold or score >= min(planted.values())]
    assert above, "without the discount no honest pair rises: the synthetic class does not test the discount"
    assert all(part == "code" for *_, part in above)


def test_json_is_a_list_of_pairs_highest_score_first_with_the_copied_lines_as_evidence(report):
    pairs = json.loads(report["json"].read_text(encoding="utf-8"))
    assert isinstance(pairs, list) and pairs
    scores = [pair["score"] for pair in pairs]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < score <= 1 for score in scores)
    assert {pair["part"] for pair in pairs} <= set(PARTS)
    assert all(pair["a"] != pair["b"] and isinstance(pair["evidence"], list) for pair in pairs)
    copy = next(pair for pair in pairs if key(pair) == ("p1a", "p1b", "code"))
    (evidence,) = copy["evidence"]
    assert evidence["file"] == "regularization.py"
    original = "\n".join(evidence["a_text"] if copy["a"] == "p1a" else evidence["b_text"])
    assert "vdot" in original and "trace" in original  # the unusual lines are the evidence
    lines = evidence["a_lines"] + evidence["b_lines"]
    assert all(1 <= first <= last for first, last in lines)


def test_the_page_shows_each_pair_side_by_side_marked_and_linked_to_formgrader(report):
    soup = BeautifulSoup(report["html"].read_text(encoding="utf-8"), "html.parser")
    assert not soup.find_all("script")
    csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    pairs = soup.select("div.pair")
    assert len(pairs) == len(report["shown"])
    for block, pair in zip(pairs, report["shown"]):
        sides = block.select("div.side")
        assert len(sides) == 2
        links = [side.find("a")["href"] for side in sides]
        assert links == [f"http://localhost:8888/formgrader/manage_students/{pair[s]}/assignment2" for s in "ab"]
        assert all(side.find("mark") for side in sides), "the matching regions are marked on both sides"
    # nothing but the page itself: no file or URL it would load
    assert not soup.find_all(["img", "link", "iframe", "object", "embed"])
    assert "reports" == report["html"].parent.parent.name


def test_a_hostile_answer_is_escaped_text_in_the_page(course, tmp_path):
    hostile = ('<script>document.title="owned"</script><img src=x onerror="alert(1)">'
               '</pre></div><a href="javascript:alert(2)">click</a> ') + ORIGINALS["l1_explanation"][0]
    root = build_class(tmp_path / "course", extra_answers={"p3a": {"l1_explanation": hostile},
                                                           "p3b": {"l1_explanation": hostile}})
    result = run(root, "assignment2", SimilarityReport())
    soup = BeautifulSoup(result["html"].read_text(encoding="utf-8"), "html.parser")
    assert not soup.find_all(["script", "img"]) and not soup.select('a[href^="javascript"]')
    pair = next(block for block in soup.select("div.pair") if "p3a" in block.h2.get_text()
                and "l1_explanation" in block.h2.get_text())
    assert '<script>document.title="owned"</script>' in pair.get_text()
    assert all(box.parent.name == "div" and "student-content" in box["class"]
               for box in pair.select("div.side div.student-content"))


def test_renaming_reordering_and_comments_change_no_code_fingerprint():
    import random

    original = PLANTED_CODE["p1a"]()
    disguised = disguise_code(original, random.Random(1))
    assert disguised != original
    documents = [Document("a", "code", [code_segment("m.py", original)]),
                 Document("b", "code", [code_segment("m.py", disguised)])]
    compare(documents, [], Settings())
    assert documents[0].prints.keys() == documents[1].prints.keys()


def test_synonyms_and_reordered_sentences_keep_most_text_fingerprints():
    import random

    original = ORIGINALS["l2_explanation"][1]
    disguised = disguise_answer(original, random.Random(2))
    documents = [Document("a", "t", [text_segment("t", original)]), Document("b", "t", [text_segment("t", disguised)])]
    compare(documents, [], Settings(k=3))
    first, second = documents[0].prints.keys(), documents[1].prints.keys()
    assert len(first & second) >= 0.8 * len(first)


def test_bad_files_are_skipped_with_a_reason_and_the_rest_is_compared(course, tmp_path):
    root = build_class(tmp_path / "course", honest=10)
    submitted = root / "submitted"
    (submitted / "s000" / "assignment2" / "regularization.py").write_bytes(b"x = 1\n" * 20_000)  # over 64 KiB
    (submitted / "s001" / "assignment2" / "regularization.py").write_bytes(b"\xff\xfe not utf-8")
    module = submitted / "s002" / "assignment2" / "regularization.py"
    module.unlink()
    module.symlink_to("/etc/passwd")
    (submitted / "s003" / "assignment2" / "assignment2.ipynb").write_text("[" * 100_000, encoding="utf-8")
    (submitted / "s004" / "assignment2" / "regularization.py").unlink()
    os.mkfifo(submitted / "s004" / "assignment2" / "regularization.py")
    (submitted / "<img src=x>" / "assignment2").mkdir(parents=True)
    notebook = submitted / "s005" / "assignment2" / "assignment2.ipynb"
    cells = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in cells["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "l1_explanation":
            cell["source"] = "word " * 10_000
    notebook.write_text(json.dumps(cells), encoding="utf-8")

    result = run(root, "assignment2", SimilarityReport())
    reasons = {(item["student"], item["file"]): item["reason"] for item in result["skipped"]}
    assert "more than the cap of 65536" in reasons["s000", "regularization.py"]
    assert reasons["s001", "regularization.py"] == "it is not UTF-8 text"
    assert "symbolic link" in reasons["s002", "regularization.py"]
    assert "assignment2.ipynb" in {file for student, file in reasons if student == "s003"}
    assert "FIFO" in reasons["s004", "regularization.py"]
    assert reasons["<img src=x>", "-"] == "the folder's name is not a safe student id"
    assert "cap of 16384 bytes" in reasons["s005", "assignment2.ipynb: l1_explanation"]
    planted, _ = evaluate(result)
    assert min(planted.values()) >= SimilarityReport().threshold, "the rest of the class is still compared"
    page = result["html"].read_text(encoding="utf-8")
    assert "<img src=x>" not in page and "&lt;img src=x&gt;" in page


def test_the_report_is_written_beside_the_gradebook_never_into_feedback(report):
    root = report["json"].parents[2]
    assert report["json"] == root / "reports" / "assignment2" / "similarity.json"
    assert report["html"] == root / "reports" / "assignment2" / "similarity.html"
    assert not (root / "feedback").exists()


def test_the_command_line_writes_both_files(tmp_path, capsys):
    from grading.tools.similarity import main

    root = build_class(tmp_path / "course", honest=10)
    main(["assignment2", "--course", str(root), "--threshold", "0.99"])
    out = capsys.readouterr().out
    assert "similarity.json" in out and "similarity.html" in out
    assert json.loads((root / "reports" / "assignment2" / "similarity.json").read_text(encoding="utf-8"))
    assert "score 0.99 or more" in (root / "reports" / "assignment2" / "similarity.html").read_text(encoding="utf-8")


def test_the_class_report_links_the_similarity_report(tmp_path):
    from grading.tools.class_report import _html, _markdown, student_columns

    for name in ("scores.png", "checks.png"):
        (tmp_path / name).write_bytes(b"\x89PNG")
    columns, students, checks = student_columns(6, 4), [], []
    page = BeautifulSoup(_html("assignment2", "summary", columns, students, checks, tmp_path), "html.parser")
    assert page.find("a", href="similarity.html")
    assert "[similarity.html](similarity.html)" in _markdown("assignment2", "summary", columns, students, checks)


def test_the_semester_guides_step_runs_verbatim(tmp_path):
    import subprocess

    from grading.tools.scratch_course import nbgrader_env
    from support.readme import readme_steps

    root = build_class(tmp_path / "course", honest=10)
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", readme_steps()["similarity"]], cwd=root,
                          env=nbgrader_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    pairs = json.loads((root / "reports" / "assignment2" / "similarity.json").read_text(encoding="utf-8"))
    assert {key(pair) for pair in pairs if pair["score"] >= SimilarityReport().threshold} == planted_pairs()


def test_each_student_links_to_their_notebook_in_formgrader_when_the_gradebook_has_it(tmp_path, monkeypatch):
    from nbgrader.api import Gradebook

    from grading.course import course_directory
    from grading.tools.scratch_course import nbgrader_env

    monkeypatch.setenv("PATH", nbgrader_env()["PATH"])  # nbgrader creates a gradebook with alembic
    root = build_class(tmp_path / "course", honest=10)
    coursedir = course_directory(root)
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        gradebook.add_assignment("assignment2")
        gradebook.add_notebook("assignment2", "assignment2")
        for student in ("p1a", "p1b"):
            gradebook.add_student(student)
            gradebook.add_submission("assignment2", student)
        ids = {s: gradebook.find_submission_notebook("assignment2", "assignment2", s).id for s in ("p1a", "p1b")}
    options = SimilarityReport(formgrader_url="https://hub.example/user/grader/")
    result = run(root, "assignment2", options)
    soup = BeautifulSoup(result["html"].read_text(encoding="utf-8"), "html.parser")
    block = next(b for b in soup.select("div.pair") if "p1a and p1b: code" in b.h2.get_text())
    assert [side.find("a")["href"] for side in block.select("div.side")] == [
        f"https://hub.example/user/grader/formgrader/submissions/{ids[s]}/" for s in ("p1a", "p1b")]
    other = next(b for b in soup.select("div.pair") if "t1 and t2" in b.h2.get_text())
    assert other.find("a")["href"] == "https://hub.example/user/grader/formgrader/manage_students/t1/assignment2"


def test_the_autograded_copies_can_be_read_instead(tmp_path):
    import shutil

    root = build_class(tmp_path / "course", honest=10)
    shutil.copytree(root / "submitted", root / "autograded")
    shutil.rmtree(root / "submitted")
    result = run(root, "assignment2", SimilarityReport(), folder_name="autograded")
    assert {key(pair) for pair in result["shown"]} == planted_pairs()


def _set_answer(notebook, grade_id, text):
    """Write ``text`` as the answer ``grade_id`` of ``notebook`` with ``json`` (as a hand-edited file would hold it);
    return the answer it replaced."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in cells["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            old, cell["source"] = "".join(cell["source"]), text
    notebook.write_text(json.dumps(cells), encoding="utf-8")  # ensure_ascii: a lone surrogate as "\ud800"
    return old


def test_a_lone_surrogate_in_two_copied_answers_does_not_stop_the_report(tmp_path):
    # JSON may escape half of a UTF-16 pair ("\ud800"): Python reads it as a str that cannot be
    # encoded, and two copiers sharing it once made the page's sanitizer (and the UTF-8 write) raise,
    # so the class got no report at all.
    root = build_class(tmp_path / "course", honest=10)
    first = root / "submitted" / "p3a" / "assignment2" / "assignment2.ipynb"
    text = _set_answer(first, "l1_explanation", "") + " \ud800 end"
    for student in ("p3a", "p3b"):
        _set_answer(root / "submitted" / student / "assignment2" / "assignment2.ipynb", "l1_explanation", text)
    result = run(root, "assignment2", SimilarityReport())
    assert ("p3a", "p3b", "l1_explanation") in {key(pair) for pair in result["shown"]}
    page = result["html"].read_text(encoding="utf-8")
    assert "\ufffd end" in page


@pytest.mark.parametrize("grade_id", [["l1_explanation"], {"id": "l1_explanation"}], ids=["list", "dict"])
def test_a_grade_id_that_is_not_text_does_not_stop_the_report(tmp_path, grade_id):
    # submitted/ is read as handed in (no intake has checked it): a cell's grade id may be any JSON value,
    # and an unhashable one once raised TypeError out of the whole report.
    root = build_class(tmp_path / "course", honest=10)
    notebook = root / "submitted" / "s000" / "assignment2" / "assignment2.ipynb"
    cells = json.loads(notebook.read_text(encoding="utf-8"))
    cells["cells"].append({"cell_type": "markdown", "metadata": {"nbgrader": {"grade_id": grade_id}}, "source": "x"})
    notebook.write_text(json.dumps(cells), encoding="utf-8")
    result = run(root, "assignment2", SimilarityReport())
    assert {key(pair) for pair in result["shown"]} == planted_pairs()
    assert not [item for item in result["skipped"] if item["student"] == "s000"], "its own answers are still compared"
