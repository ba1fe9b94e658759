"""Written answers: a rubric that two graders apply alike, anchored by scored sample answers.

The sample answers live in the model-answer cells, which nbgrader strips from the release and
formgrader shows to graders only; the docs' formgrader example gives the score the rubric gives.
"""

import re

import pytest

from grading.tools.scratch_course import REPO
from support.helpers import MASTER_NOTEBOOK, RELEASE, nbgrader_cells, read_notebook
from support.rubric import EXAMPLE_CLASS, WRITTEN, demo_answer, samples, score_of

DEMO_STUDENTS = sorted(p.name for p in EXAMPLE_CLASS.iterdir() if p.is_dir())


def cell(grade_id):
    return nbgrader_cells(read_notebook(MASTER_NOTEBOOK))[grade_id].source


@pytest.mark.parametrize("grade_id", WRITTEN)
def test_each_question_has_4_to_6_scored_samples_from_full_to_zero_credit(grade_id):
    rows = samples(grade_id)
    assert 4 <= len(rows) <= 6, [r.answer for r in rows]
    scores = [r.score for r in rows]
    assert all(s in (0, 0.5, 1, 1.5, 2) for s in scores), scores
    assert 2 in scores and 0 in scores and any(0 < s < 2 for s in scores), scores
    assert all(len(r.why.split()) >= 3 for r in rows), "each sample needs its one-line reason"


@pytest.mark.parametrize("grade_id", WRITTEN)
def test_the_demos_three_students_are_among_the_samples_with_their_exact_answers(grade_id):
    assert DEMO_STUDENTS == ["ada", "ben", "cem"]
    rows = samples(grade_id)
    for student in DEMO_STUDENTS:
        text = demo_answer(student, grade_id)
        tagged = [r for r in rows if r.student == student]
        assert len(tagged) == 1, f"{student} in {grade_id}: {len(tagged)} rows"
        if text is None:  # the cell left as released: nbgrader scores it 0 on its own
            assert "YOUR ANSWER HERE" in tagged[0].answer and tagged[0].score == 0
        else:
            assert tagged[0].answer.startswith(f'"{text}"'), (tagged[0].answer, text)


def test_demo_scores_follow_the_one_phrase_rule():
    # ben's one phrase earns one element only: 0.5 (shrinking) for L1, 1 (larger pull on big weights) for L2.
    assert score_of("l1_explanation", "ben") == 0.5
    assert score_of("l2_explanation", "ben") == 1
    assert score_of("l1_explanation", "ada") == score_of("l2_explanation", "ada") == 2


@pytest.mark.parametrize("grade_id", WRITTEN)
def test_rubric_says_how_to_count_phrases_alternatives_and_near_zero_weights(grade_id):
    source = cell(grade_id)
    assert "*One phrase, one element:*" in source and "at most one element" in source
    assert "*Near zero but not exactly zero:*" in source
    alternatives = source[source.index("*Accepted alternatives"):].split("\n- ")[0]
    assert alternatives.startswith("*Accepted alternatives, and the point each counts for:*")
    assert alternatives.count("counts for the mechanism") >= 1 and alternatives.count("counts for the effect") >= 1
    assert "Each counts for the point it explains" not in source


def test_large_weights_penalized_more_is_not_a_wrong_claim_for_l1():
    source = cell("l1_explanation")
    wrong = source[source.index("*Common wrong claims:*"):].split("Not wrong:")[0]
    assert "large weights are penalized more" not in wrong.lower()
    assert '"large weights are penalized more than small ones" is true of the penalty' in source
    assert "only its gradient, the pull, is constant" in source


@pytest.mark.parametrize("exercise", ["l1", "l2"])
def test_prompts_ask_whether_the_pull_depends_on_the_weight_and_what_fraction_ends_at_zero(exercise):
    prompt = cell(f"{exercise}_explanation_prompt")
    assert "Does the size of the pull towards zero depend on the size of the weight?" in prompt
    assert "What fraction of the weights ends at zero" in prompt
    assert "Exactly at zero, or only near it?" in prompt


def test_docs_formgrader_example_gives_adas_answer_the_rubrics_score():
    semester = (REPO / "docs" / "semester.md").read_text(encoding="utf-8")
    caption = re.search(r"Formgrader grading ada's answer to 1\.2: (\d+(?:\.5)?) of 2 points", semester)
    assert caption, "docs/semester.md lost its formgrader example"
    assert float(caption.group(1)) == score_of("l1_explanation", "ada")
    formgrader_test = (REPO / "tests" / "test_formgrader.py").read_text(encoding="utf-8")
    assert 'POINTS = score_of("l1_explanation", STUDENT)' in formgrader_test


def test_no_sample_answer_or_rubric_reaches_the_release():
    released = (RELEASE / "assignment2.ipynb").read_text(encoding="utf-8")
    for grade_id in WRITTEN:
        for row in samples(grade_id):
            for quoted in re.findall(r'"([^"]+)"', row.answer):
                if quoted != "YOUR ANSWER HERE":
                    assert quoted not in released, row.answer
        released_cell = nbgrader_cells(read_notebook(RELEASE / "assignment2.ipynb"))[grade_id]
        assert released_cell.source.strip() == "YOUR ANSWER HERE"
    for marker in ("Anchored sample answers", "One phrase, one element", "*Score ", "Rubric"):
        assert marker not in released, marker
