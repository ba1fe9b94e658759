"""The anchored sample answers of the written questions' rubrics, read from the master.

Each model-answer cell (``l1_explanation``, ``l2_explanation``) ends with a list under
"Anchored sample answers", one item per answer: ``- *Score 1.5:* "the answer" — why``
(a list, not a table: formgrader shows the model answer in a block quote, where nbconvert
renders no tables). An answer written by a student of the demo's example class names
them as ``(ada, demo)``. Tests read the scores from here
instead of repeating them, so the docs, the formgrader test and the rubric cannot disagree.
"""

import json
import re
from dataclasses import dataclass

from grading.tools.scratch_course import REPO
from support.helpers import MASTER_NOTEBOOK, nbgrader_cells, read_notebook

WRITTEN = ("l1_explanation", "l2_explanation")
EXAMPLE_CLASS = REPO / "examples" / "class"
ROW = re.compile(r"^- \*Score (?P<score>\d+(?:\.5)?):\* (?P<answer>.+?) — (?P<why>.+)$", re.M)
DEMO_STUDENT = re.compile(r"\((\w+), demo\)\s*$")


@dataclass(frozen=True)
class Sample:
    answer: str      # the answer cell as the rubric quotes it (quotes and the demo tag included)
    score: float
    why: str
    student: str | None  # the demo's student who wrote it, if any


def samples(grade_id: str) -> list[Sample]:
    """The anchored sample answers of ``grade_id``'s model-answer cell, in order."""
    source = nbgrader_cells(read_notebook(MASTER_NOTEBOOK))[grade_id].source
    listed = source[source.index("*Anchored sample answers"):]
    rows = []
    for match in ROW.finditer(listed):
        student = DEMO_STUDENT.search(match["answer"])
        rows.append(Sample(match["answer"], float(match["score"]), match["why"],
                           student.group(1) if student else None))
    return rows


def demo_answer(student: str, grade_id: str) -> str | None:
    """What the demo's ``student`` hands in for ``grade_id`` (None: the cell left as released)."""
    answers = EXAMPLE_CLASS / student / "answers.json"
    if not answers.exists():
        return None
    return json.loads(answers.read_text(encoding="utf-8")).get(grade_id)


def score_of(grade_id: str, student: str) -> float:
    """The rubric's score for the demo ``student``'s answer to ``grade_id`` (the item quoting it)."""
    text = demo_answer(student, grade_id)
    matching = [s for s in samples(grade_id)
                if s.student == student and (text is None or f'"{text}"' in s.answer)]
    assert len(matching) == 1, f"the rubric of {grade_id} has {len(matching)} rows for {student}'s answer"
    return matching[0].score
