"""The intake: every submission is made safe for nbgrader's own process before nbgrader reads it.

nbgrader's autograde reads a submission outside the sandbox, in the grader's process:
it opens ``timestamp.txt``, copies every file of the folder into ``autograded/``
(following links, reading a FIFO or a device until it ends), parses the notebook
(converting an nbformat-3 one, which allocates ``level`` bytes per heading cell) and
validates its nbgrader metadata (one cell of an unknown ``schema_version`` stops the
whole serial run). The intake bounds all of it:

- :mod:`grading.intake.files`: looking at a file without trusting it (``lstat``
  first, bounded reads on a checked descriptor) and setting it aside by renaming it;
- :mod:`grading.intake.notebook`: checking a notebook under caps, repairing nbgrader
  metadata, before anything converts it;
- :mod:`grading.intake.submission`: :class:`Intake`, the caps (``c.Intake.*``) and
  the admission of one submission folder, and its findings for ``integrity.json``;
- :mod:`grading.intake.exporter`: :class:`IntakeExporter` (``c.Autograde.exporter_class``),
  which admits a run's submissions before nbgrader reads any, and refuses student ids
  that are not of a safe form.

A refused submission still gets a recorded score, a reason and a flag: the released
notebook is graded in place of a refused notebook (the module is graded by the hidden
tests, the written answers score 0), and ``IsolatedRegrade`` writes the findings into
``integrity.json``. See docs/sandbox.md, "The grader's own process".
"""

from grading.intake.exporter import IntakeExporter
from grading.intake.files import IGNORE, IntakeRefused
from grading.intake.submission import Intake

__all__ = ["IGNORE", "Intake", "IntakeExporter", "IntakeRefused"]
