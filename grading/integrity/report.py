"""``integrity.json``: what the grader learned about one submission beyond its score.

``IsolatedRegrade`` writes one beside each autograded notebook; the parallel
runner, the class report and the demo read it. :class:`IntegrityReport` is the
one definition of its fields, and of how flagged submissions are summarised.
``CourseDirectory.ignore`` keeps the file out of students' feedback.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

FILE_NAME = "integrity.json"


@dataclass
class IntegrityReport:
    """The integrity report of one submission.

    - ``sandbox``: ``"bubblewrap"``, or how grading ran without it;
    - ``module_sha256``: hash of the module as collected before any kernel ran;
    - ``flagged``/``reasons``: whether a person should look, and why (audit
      findings, refused attempts);
    - ``faults``: what went wrong while re-grading (a crash, a timeout);
    - ``contained``: the sandbox refusals seen in the kernel's output;
    - ``cells``: ``{grade_id: {"max", "notebook", "isolated", "score", "message"}}``.
    """

    student: str
    sandbox: str = ""
    module_sha256: str | None = None
    flagged: bool = False
    reasons: list[str] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    contained: list[str] = field(default_factory=list)
    cells: dict[str, dict] = field(default_factory=dict)

    def write(self, folder: str | Path) -> Path:
        """Write the report into ``folder`` (an autograded submission); return its path."""
        path = Path(folder) / FILE_NAME
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def read(cls, folder: str | Path) -> IntegrityReport | None:
        """The report in ``folder``, or None if there is none."""
        path = Path(folder) / FILE_NAME
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**known)

    def regrade_only(self) -> dict[str, str]:
        """``{grade_id: message}`` of the cells that passed in the notebook but failed the trusted re-grade.

        Those are the cells whose ``notebook`` score (the visible tests, run in
        the student's kernel) is above the ``score`` that counts, because the
        isolated re-grade failed them: the student saw these tests pass and
        lost the points all the same (a result only the hidden inputs reject,
        hard-coded examples). ``message`` is the re-grade's. Cells in the
        notebook's order; an entry not as ``IsolatedRegrade`` writes it (a
        missing or non-numeric score) is left out.
        """
        found = {}
        for grade_id, cell in self.cells.items():
            if not isinstance(cell, dict):
                continue
            notebook, score = cell.get("notebook"), cell.get("score")
            if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (notebook, score)):
                continue
            if notebook > score:
                found[str(grade_id)] = str(cell.get("message") or "")
        return found

    def summary(self) -> str:
        """One line for a list of flagged students: the first reason and how many more."""
        if not self.reasons:
            return "flagged" if self.flagged else "ok"
        more = f" (+{len(self.reasons) - 1} more)" if len(self.reasons) > 1 else ""
        return self.reasons[0] + more


def flagged_summary(reports: list[IntegrityReport]) -> list[str]:
    """The lines that list flagged submissions for review, or none if no one is flagged."""
    flagged = sorted((r for r in reports if r.flagged), key=lambda r: r.student)
    if not flagged:
        return []
    return ([f"Integrity check: {len(flagged)} submission(s) flagged for review "
             f"({FILE_NAME} beside each autograded notebook):"]
            + [f"  {report.student}: {report.summary()}" for report in flagged])
