"""Collect the student's module before any of the student's code runs.

Listed first in ``Autograde.autograde_preprocessors``: ``SnapshotModule``
reads ``regularization.py`` from the submission folder (nbgrader has just
copied it from ``submitted/``), before the grading kernel starts, and keeps
its bytes and SHA-256 in ``resources["collected"]``. The isolated re-grade
and the audit use these bytes, never the file as it is after the kernel ran,
so nothing the kernel does (it runs in a private copy anyway) can change what
is graded.

``resources["collected"]``: ``{"module": bytes or None, "sha256": str or
None, "path": str, "refused": str or None}``. ``refused`` says why a module
that was handed in is not graded (larger than ``max_bytes``, or not a
regular file); ``IsolatedRegrade`` flags the submission with it.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer, Unicode


def read_module(path: str | Path, limit_bytes: int) -> bytes:
    """The bytes of the regular file ``path`` (None if absent or not a regular file).

    Opened with ``O_NOFOLLOW``: a submitted symbolic link is not a module.
    Raises ValueError past ``limit_bytes``.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # before fdopen, which refuses a folder with an exception
        os.close(fd)
        return None
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit_bytes + 1)
    if len(data) > limit_bytes:
        raise ValueError(f"{path} is larger than {limit_bytes} bytes")
    return data


class SnapshotModule(NbGraderPreprocessor):
    """Read and hash the submitted module before the kernel runs."""

    module = Unicode("regularization.py", help="The student's module, beside the notebook.").tag(config=True)
    max_bytes = Integer(1024**2, help="Largest module accepted, in bytes.").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        path = Path(resources["metadata"]["path"]) / self.module
        refused = None
        try:
            data = read_module(path, self.max_bytes)
        except ValueError as error:
            self.log.warning("%s", error)
            data = None
            refused = (f"{self.module} is larger than SnapshotModule.max_bytes ({self.max_bytes} bytes); "
                       "it was not graded")
        if data is None and refused is None and os.path.lexists(path):
            refused = f"{self.module} is not a regular file (a link or a special file); it was not graded"
        resources["collected"] = {
            "module": data,
            "sha256": hashlib.sha256(data).hexdigest() if data is not None else None,
            "path": str(path),
            "refused": refused,
        }
        return nb, resources
