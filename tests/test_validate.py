"""nbgrader validate: the master passes, and no autograded cell passes on the release."""

import shutil

import pytest
from nbgrader.validator import Validator

from support.helpers import MASTER_NOTEBOOK, RELEASE

pytestmark = pytest.mark.e2e  # runs nbgrader, kernels or sandboxes


def test_master_passes_validate():
    assert Validator().validate(str(MASTER_NOTEBOOK)) == {}


def test_every_autograded_cell_fails_on_the_release(tmp_path):
    # Work on a copy: executing must not touch the committed release.
    work = shutil.copytree(RELEASE, tmp_path / "assignment2")
    results = Validator(invert=True).validate(str(work / "assignment2.ipynb"))
    assert results == {}, f"cells that pass on the untouched release: {results.get('passed')}"
