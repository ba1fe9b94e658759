"""Put the hidden tests back into graded cells a student left as released, before nbgrader checks them.

nbgrader's ``OverwriteCells`` (in ``Autograde.sanitize_preprocessors``)
compares each locked cell of a submission with the gradebook's copy, which
``generate_assignment`` saved *before* it cleared the hidden tests. Every
graded cell with hidden tests therefore differs by design, and nbgrader logs
"Attribute 'checksum' for cell l1_loss has changed!" for each, 8 per student,
before putting the gradebook's source back. A real edit of a locked cell
(a student who changed the instructor's tests) would be buried among them.

``RestoreHiddenTests``, listed right before ``OverwriteCells``, does for those
cells what ``OverwriteCells`` would do, one step earlier: a locked cell whose
gradebook source holds a hidden-test region (nbgrader's ``ClearHiddenTests``
delimiters, as configured) and whose submitted source is exactly that source
with the region removed (what the release holds) gets the gradebook's source.
``OverwriteCells`` then finds the checksum it expects and says nothing.

Contract: the notebook that leaves ``OverwriteCells`` is the same with or
without this step. Any other difference (an edited line, a changed cell
type, points or lock) is left for ``OverwriteCells``, which reports it as
before. Cells without a grade id, unknown to the gradebook or without hidden
tests are not touched.
"""

from __future__ import annotations

import copy

from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor


class RestoreHiddenTests(NbGraderPreprocessor):
    """Give unchanged graded cells their hidden tests back, so only real edits are reported."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources["nbgrader"]
        clear = ClearHiddenTests(config=self.config)
        restored = []
        with Gradebook(info["db_url"]) as gradebook:
            for cell in nb.cells:
                grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                if grade_id is None or not utils.is_locked(cell):
                    continue
                try:
                    source = gradebook.find_source_cell(grade_id, info["notebook"], info["assignment"])
                except MissingEntry:
                    continue
                if not source.locked or cell.cell_type != source.cell_type:
                    continue
                released = released_source(clear, cell, source.source)
                if released != source.source and cell.source == released:
                    cell.source = source.source
                    restored.append(grade_id)
        if restored:
            self.log.debug("Hidden tests put back into %d unchanged cell(s): %s", len(restored), ", ".join(restored))
        return nb, resources


def released_source(clear: ClearHiddenTests, cell: NotebookNode, source: str) -> str | None:
    """``source`` as the release holds it: its hidden-test regions removed by ``clear``.

    None if ``clear`` refuses it (an unclosed or nested region).
    """
    released = copy.deepcopy(cell)
    released.source = source
    try:
        released, _ = clear.preprocess_cell(released, {}, 0)
    except RuntimeError:
        return None
    return released.source
