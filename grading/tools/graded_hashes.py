"""What each student's last successful grading graded: the runner's record for incremental runs.

``python -m grading.tools.parallel_autograde`` grades a student again only
when the student's submission or the course changed since that student was
last graded successfully by it (``--force`` grades everyone):

- :func:`submission_hash` hashes the submission folder as nbgrader would read
  it (every file's relative path and bytes: the notebook, the module, the
  timestamp and any other file), computed on the worker just before it grades;
- :func:`course_hash` hashes what the course grades with (the assignment's
  source folder, so the master's hidden tests, and the ``nbgrader_config.py``
  the run uses). Changing the grading code itself needs ``--force``.

:class:`GradedHashes` keeps them in ``autograde-hashes/<assignment>.jsonl``
in the course folder, one JSON line appended per successful grading (the last
line of a student wins). Only the runner's process writes it; a line cut off
by a crash is ignored, so that student is graded again.

A submission is hostile: it is walked without following links, only regular
files are read (a FIFO is never opened), and one past ``max_entries`` entries
or ``max_bytes`` bytes is not hashed at all (it is then graded on every run;
the intake sets such a submission aside anyway).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

MAX_ENTRIES = 10_000
MAX_BYTES = 256 * 1024**2


def _hash_tree(folder: Path, digest, max_entries: int, max_bytes: int) -> bool:
    """Feed ``folder``'s entries into ``digest``; False if it is past the caps (or unreadable)."""
    entries, total = 0, 0
    for top, folders, files in os.walk(folder, followlinks=False):
        folders.sort()
        for name in sorted(files) + [f for f in folders if os.path.islink(os.path.join(top, f))]:
            path = os.path.join(top, name)
            entries += 1
            if entries > max_entries:
                return False
            relative = os.path.relpath(path, folder).encode("utf-8", "surrogateescape")
            info = os.lstat(path)
            digest.update(len(relative).to_bytes(8, "big") + relative)
            if stat.S_ISLNK(info.st_mode):
                target = os.readlink(path).encode("utf-8", "surrogateescape")
                digest.update(b"L" + len(target).to_bytes(8, "big") + target)
            elif stat.S_ISREG(info.st_mode):
                total += info.st_size
                if total > max_bytes:
                    return False
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
                with os.fdopen(fd, "rb") as handle:
                    if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                        return False  # swapped for something else since lstat
                    digest.update(b"F" + info.st_size.to_bytes(8, "big"))
                    while chunk := handle.read(1 << 20):
                        digest.update(chunk)
            else:
                digest.update(b"S" + stat.S_IFMT(info.st_mode).to_bytes(8, "big"))  # never opened
    return True


def submission_hash(folder: str | Path, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> str | None:
    """A SHA-256 of the submission folder's names and contents; None if past the caps or unreadable."""
    digest = hashlib.sha256(b"submission\0")
    try:
        return digest.hexdigest() if _hash_tree(Path(folder), digest, max_entries, max_bytes) else None
    except OSError:
        return None


def course_hash(source_folder: str | Path, config_file: str | Path | None) -> str:
    """A SHA-256 of the assignment's source folder (links followed: the course's own) and the configuration."""
    digest = hashlib.sha256(b"course\0")
    for path in sorted(Path(source_folder).rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(source_folder)).encode() + b"\0" + path.read_bytes())
    if config_file is not None and Path(config_file).is_file():
        digest.update(b"config\0" + Path(config_file).read_bytes())
    return digest.hexdigest()


class GradedHashes:
    """The record of ``autograde-hashes/<assignment>.jsonl``: ``{student: (submission, course)}``."""

    def __init__(self, root: str | Path, assignment: str):
        self.path = Path(root) / "autograde-hashes" / f"{assignment}.jsonl"
        self.last = {}
        if self.path.is_file():
            for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    entry = json.loads(line)
                    self.last[entry["student"]] = (entry["submission"], entry["course"])
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut off by a crash: that student is graded again

    def unchanged(self, student: str, submission: str | None, course: str) -> bool:
        return submission is not None and self.last.get(student) == (submission, course)

    def graded(self, student: str, submission: str | None, course: str) -> None:
        """Record a successful grading (of a submission that could be hashed)."""
        if submission is None:
            return
        self.path.parent.mkdir(exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"student": student, "submission": submission, "course": course}) + "\n")
        self.last[student] = (submission, course)

    def forget(self, student: str) -> None:
        """A failed grading: the student is graded again next time, whatever the hashes say."""
        if student in self.last:
            self.path.parent.mkdir(exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps({"student": student, "submission": None, "course": None}) + "\n")
            self.last.pop(student, None)
