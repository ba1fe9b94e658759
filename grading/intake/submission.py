"""Admit one submission folder: set aside what nbgrader must not read, repair or replace the notebook.

:meth:`Intake.admit` makes a folder of ``submitted/`` safe for nbgrader's autograde,
which opens ``timestamp.txt``, copies every other file into ``autograded/`` (following
links, reading a device to its end) and parses the notebook, all in its own process:

1. **The folder is bounded.** Past ``max_entries`` files and folders, folders nested
   ``max_folder_depth`` deep or ``max_submission_bytes`` in all, the whole folder is
   moved to ``.<assignment>.refused-not-collected`` beside it (a hidden name: no glob of
   nbgrader's or formgrader's sees it) and only the released files and
   ``timestamp.txt`` come back.
2. **Every entry is looked at with ``lstat`` only** and set aside by renaming it in place
   (:mod:`grading.intake.files`): a symbolic link (``.link-not-collected``); a FIFO,
   device or socket, an unsafe name, a file over ``max_file_bytes``, a ``timestamp.txt``
   nbgrader cannot read (``.refused-not-collected``).
3. **Each released notebook** is checked (:mod:`grading.intake.notebook`): a repaired
   one replaces the student's, whose original is set aside; a refused one (or one set
   aside in step 2) is set aside and the released notebook, unanswered, is graded in
   its place, so the module is still graded by the hidden tests and the written
   answers score 0. A folder named ``timestamp.txt`` or like a released file (the
   module) is set aside too: nbgrader opens those as files.

:meth:`Intake.findings` then says why, for ``integrity.json``: it derives every reason
again from the set-aside entries themselves, looked at again under the same caps, so
a second run reports the same reasons, and nothing a student could write is trusted
as a record (a file named like a set-aside one only flags its own submission).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.utils import parse_utc
from traitlets import Integer, Unicode
from traitlets.config import LoggingConfigurable

from grading.intake.files import (
    LINK_SUFFIX,
    REFUSED_SUFFIX,
    UNSAFE_ID_SUFFIX,
    IntakeRefused,
    aside_name,
    is_aside,
    kind,
    original_name,
    read_regular,
    shown,
    unsafe_name,
)
from grading.intake.notebook import NotebookCaps, check_notebook

TIMESTAMP = "timestamp.txt"
TIMESTAMP_MAX_BYTES = 1024
_CAPS = NotebookCaps()


class Intake(LoggingConfigurable):
    """The intake's caps (configurable as ``c.Intake.<name>``) and the checks of one submission folder."""

    max_notebook_bytes = Integer(
        _CAPS.notebook_bytes, help="Largest notebook accepted, in bytes (the master notebook with its outputs: "
                                   "~130 KB); a larger one is refused.").tag(config=True)
    max_cells = Integer(_CAPS.cells, help="Most cells a notebook may have (the release has 43).").tag(config=True)
    max_cell_source_bytes = Integer(
        _CAPS.cell_source_bytes, help="Most bytes of source in one cell (the master's largest: ~3 KB).",
    ).tag(config=True)
    max_outputs = Integer(_CAPS.outputs, help="Most outputs a notebook may hold in all its cells.").tag(config=True)
    max_json_depth = Integer(_CAPS.json_depth, help="Deepest nesting of a notebook's JSON (a notebook: ~8).").tag(
        config=True)
    max_json_values = Integer(
        _CAPS.json_values, help="Most JSON values (numbers, strings, lists, objects) a notebook may hold (the master "
                                "with its outputs: ~1,100); what nbgrader's parse costs grows with them.",
    ).tag(config=True)
    max_file_bytes = Integer(
        16 * 1024**2, help="Largest other file of a submission that is collected, in bytes.").tag(config=True)
    max_submission_bytes = Integer(64 * 1024**2, help="Most bytes of files a submission may hold.").tag(config=True)
    max_entries = Integer(500, help="Most files and folders a submission may hold.").tag(config=True)
    max_folder_depth = Integer(8, help="Deepest nesting of folders in a submission.").tag(config=True)
    student_id_pattern = Unicode(
        r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}",
        help="Regular expression a whole student id (a folder name in submitted/) must match to be "
             "graded: ids reach formgrader's pages, the gradebook and file globs.").tag(config=True)

    def caps(self) -> NotebookCaps:
        """The notebook caps these traits set."""
        return NotebookCaps(notebook_bytes=self.max_notebook_bytes, cells=self.max_cells,
                            cell_source_bytes=self.max_cell_source_bytes, outputs=self.max_outputs,
                            json_depth=self.max_json_depth, json_values=self.max_json_values)

    def safe_student_id(self, student_id: str) -> bool:
        """Whether ``student_id`` may be graded (shown in pages, stored, used as a glob)."""
        return re.fullmatch(self.student_id_pattern, student_id) is not None

    def set_id_aside(self, folder: str | Path, student_id: str) -> Path:
        """Rename the submission ``folder`` of an unsafe ``student_id`` out of every glob; say how to grade it.

        The new name is hidden (``.<assignment>.unsafe-id-not-collected`` beside it):
        nbgrader's and formgrader's globs skip it. Returns it.
        """
        folder = Path(folder)
        target = folder.parent / ("." + aside_name(folder.name, UNSAFE_ID_SUFFIX,
                                                   lambda name: os.path.lexists(folder.parent / ("." + name))))
        os.rename(folder, target)
        self.log.error("Not grading the submission of student id '%s': not a safe id (it must match %s; ids reach "
                       "formgrader's pages, the gradebook and file globs). Kept as %s; to grade it, move it to "
                       "submitted/<the student's roster id>/%s and autograde again.",
                       shown(student_id), self.student_id_pattern, shown(str(target)), folder.name)
        return target

    # ---- admitting ---------------------------------------------------------------------

    def admit(self, folder: str | Path, release: Release | str | Path) -> list[str]:
        """Make the submission ``folder`` safe for nbgrader to read; return :meth:`findings`.

        ``release``: a :class:`Release`, or the folder of the released files. Renames,
        repairs and copies as the module's docstring says, logging each step at
        WARNING; a second call changes nothing. ``folder`` must be a folder, not a
        link to one. OSError if the folder cannot be listed or changed.
        """
        folder, release = Path(folder), _release(release)
        over = self._over_cap(folder)
        if over:
            self._keep_only_released(folder, release, over)
        for path, mode in self._entries(folder):
            name, top = path.name, path.parent == folder
            if stat.S_ISLNK(mode):
                self._set_aside(path, LINK_SUFFIX, "is a symbolic link: not collected (never followed)")
            elif not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                self._set_aside(path, REFUSED_SUFFIX, f"is {kind(mode)}: not collected (never opened)")
            elif unsafe_name(name):
                self._set_aside(path, REFUSED_SUFFIX, f"has an unsafe name (with {unsafe_name(name)}): not collected")
            elif top and name in release.notebooks:
                verdict = check_notebook(path, self.caps(), release.notebook(name))
                if verdict.status != "ok":
                    self._set_aside(path, REFUSED_SUFFIX, f"was {verdict.status}: " + "; ".join(verdict.reasons))
                if verdict.status == "repaired":
                    path.write_text(nbformat.writes(verdict.notebook), encoding="utf-8")
            elif stat.S_ISDIR(mode) and ((top and name in (TIMESTAMP, *release.files))
                                         or release.holds(path.relative_to(folder), folder=False)):
                # nbgrader opens timestamp.txt and the module as files, and removes the released files
                # (selfcheck/judge.py) before it copies the course's over them: a folder there fails the submission
                self._set_aside(path, REFUSED_SUFFIX, "is a folder in place of a file: not collected")
            elif not stat.S_ISDIR(mode) and release.holds(path.relative_to(folder), folder=True):
                # nbgrader copies the course's selfcheck/ into this folder: a file named selfcheck fails the copy
                self._set_aside(path, REFUSED_SUFFIX, "is a file in place of a released folder: not collected")
            elif stat.S_ISDIR(mode):
                continue
            elif top and name == TIMESTAMP:
                problem = self.check_timestamp(path)
                if problem:
                    self._set_aside(path, REFUSED_SUFFIX, f"is not used: {problem}")
            elif os.lstat(path).st_size > self.max_file_bytes:
                self._set_aside(path, REFUSED_SUFFIX, f"is larger than {self.max_file_bytes} bytes: not collected")
        for name in sorted(release.notebooks):
            if os.path.lexists(folder / name) or not _set_aside_here(folder, name):
                continue
            if name in release.files:
                shutil.copyfile(release.folder / name, folder / name)
                self.log.warning("%s: the released notebook is graded in place of the student's", folder / name)
            else:
                self.log.error("%s was set aside and there is no released %s to grade in its place", folder / name,
                               name)
        return self.findings(folder, release)

    def check_timestamp(self, path: str | Path) -> str | None:
        """Why nbgrader cannot use the ``timestamp.txt`` at ``path``, or None if it can."""
        try:
            text = read_regular(path, TIMESTAMP_MAX_BYTES).decode("utf-8").strip()
            if text:
                parse_utc(text)
        except IntakeRefused as refused:
            return str(refused)
        except (UnicodeDecodeError, ValueError, OverflowError):
            return "it holds no time nbgrader can read"
        except OSError as error:
            return f"it cannot be read ({error.strerror})"
        return None

    def _set_aside(self, path: Path, suffix: str, why: str) -> None:
        target = path.with_name(aside_name(path.name, suffix, lambda name: os.path.lexists(path.with_name(name))))
        os.rename(path, target)
        self.log.warning("%s %s (renamed %s)", shown(str(path)), shown(why), target.name)

    def _entries(self, folder: Path):
        """``(path, st_mode)`` of each entry under ``folder``, top down, links never followed.

        Set-aside names are skipped, and a folder set aside while its parent was
        being listed is not entered. Bounded: :meth:`_over_cap` runs first.
        """
        pending = [folder]
        while pending:
            current = pending.pop()
            with os.scandir(current) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
            for entry in entries:
                if is_aside(entry.name):
                    continue
                mode = entry.stat(follow_symlinks=False).st_mode
                path = Path(entry.path)
                yield path, mode
                if stat.S_ISDIR(mode) and os.path.isdir(path) and not os.path.islink(path):
                    pending.append(path)

    def _over_cap(self, folder: Path) -> str | None:
        """Which cap ``folder`` exceeds (entries, depth, bytes), or None; stops at the first."""
        count, total, pending = 0, 0, [(folder, 0)]
        while pending:
            current, depth = pending.pop()
            with os.scandir(current) as listing:
                for entry in listing:
                    count += 1
                    if count > self.max_entries:
                        return f"more than {self.max_entries} files and folders"
                    if is_aside(entry.name):
                        continue
                    info = entry.stat(follow_symlinks=False)
                    if stat.S_ISDIR(info.st_mode):
                        if depth + 1 >= self.max_folder_depth:
                            return f"folders nested {self.max_folder_depth} deep"
                        pending.append((entry.path, depth + 1))
                    elif stat.S_ISREG(info.st_mode):
                        total += info.st_size
                        if total > self.max_submission_bytes:
                            return f"more than {self.max_submission_bytes} bytes"
        return None

    def _keep_only_released(self, folder: Path, release: Release, why: str) -> None:
        """Move the whole submission aside under a hidden name; bring back the released files and timestamp."""
        target = folder.parent / ("." + aside_name(folder.name, REFUSED_SUFFIX,
                                                   lambda name: os.path.lexists(folder.parent / ("." + name))))
        os.rename(folder, target)
        folder.mkdir()
        kept = []
        for name in sorted(release.files | release.notebooks | {TIMESTAMP}):
            if os.path.lexists(target / name):
                os.rename(target / name, folder / name)
                kept.append(name)
        self.log.warning("%s holds %s: only %s collected; the rest is kept in %s", folder, why,
                         ", ".join(kept) or "nothing", target.name)

    # ---- what was learned --------------------------------------------------------------

    def findings(self, folder: str | Path, release: Release | str | Path) -> list[str]:
        """The reasons to look at the submission ``folder``, derived again from what was set aside.

        Each set-aside entry is looked at again under the same caps (``lstat`` only,
        unless it is a regular file); the same submission gives the same findings on
        every run. Printable ASCII; at most ``max_entries`` entries are looked at.
        """
        folder, release = Path(folder), _release(release)
        if folder.is_symlink() or not folder.is_dir():
            return []
        reasons = []
        for sibling in sorted(os.listdir(folder.parent)):
            moved_aside = sibling.startswith(".") and sibling.endswith(REFUSED_SUFFIX)
            if moved_aside and original_name(sibling[1:]) == folder.name:
                why = self._over_cap(folder.parent / sibling) or "more than the caps allow"
                reasons.append(f"the submission held {why}: only its released files and timestamp.txt were "
                               f"collected; the rest is kept in {shown(sibling)}")
        for seen, path in enumerate(self._aside_entries(folder)):
            if seen == self.max_entries:
                reasons.append(f"more than {self.max_entries} entries were set aside: see the submission folder")
                break
            reasons.append(shown(self._finding(path, path.parent == folder, release)))
        return reasons

    def _aside_entries(self, folder: Path):
        pending = [folder]
        while pending:
            current = pending.pop()
            with os.scandir(current) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
            for entry in entries:
                if is_aside(entry.name):
                    yield Path(entry.path)
                elif entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)

    def _graded_instead(self, path: Path, release: Release) -> str:
        """What is graded at ``path``, the place of a set-aside notebook, in words to append to a finding."""
        if not os.path.lexists(path):
            return "; there is no notebook to grade in its place"
        try:
            graded = read_regular(path, self.max_notebook_bytes)
            released = read_regular(release.folder / path.name, self.max_notebook_bytes)
        except (IntakeRefused, OSError):
            return f"; {path.name} beside it was graded"
        if graded == released:
            return "; the released notebook was graded in its place (its written answers score 0: please look)"
        return f"; {path.name} beside it was graded"

    def _finding(self, path: Path, top: bool, release: Release) -> str:
        """Why the set-aside entry ``path`` was set aside, found by looking at it again."""
        original = original_name(path.name)
        info = os.lstat(path)
        notebook = top and original in release.notebooks
        in_place = self._graded_instead(path.parent / original, release) if notebook else ""
        if stat.S_ISLNK(info.st_mode):
            return f"{original} is a symbolic link: not collected{in_place}"
        if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
            return f"{original} is {kind(info.st_mode)}: not collected{in_place}"
        if unsafe_name(original):
            return f"{kind(info.st_mode)} named {original} was not collected: its name has {unsafe_name(original)}"
        if stat.S_ISDIR(info.st_mode) and top and original in release.files and not notebook:
            return f"{original} is a folder, not a file: not collected"
        if notebook:
            verdict = check_notebook(path, self.caps(), release.notebook(original))
            if verdict.status == "refused":
                return f"{original} was refused: {'; '.join(verdict.reasons)}{in_place}"
            if verdict.status == "repaired":
                return f"{original} was repaired: {'; '.join(verdict.reasons)} (the original is kept as {path.name})"
        elif top and original == TIMESTAMP:
            problem = self.check_timestamp(path)
            if problem:
                return f"timestamp.txt is not used ({problem}): lateness unknown"
        elif stat.S_ISREG(info.st_mode) and info.st_size > self.max_file_bytes:
            return f"{original} is {info.st_size} bytes, more than the cap of {self.max_file_bytes}: not collected"
        return (f"{path.name} was set aside and passes the intake now (named like a set-aside file, or refused "
                f"under lower caps): rename it to {original} and autograde again to grade it")


@dataclass(frozen=True)
class Release:
    """What an assignment's submissions are admitted against.

    ``folder``: the released files (a refused notebook is replaced by the copy
    there); ``notebooks``: the top-level notebook names that are graded (the
    release's and the source's); ``files``: the release's top-level file names.
    """

    folder: Path
    notebooks: frozenset[str]
    files: frozenset[str]

    @classmethod
    def at(cls, folder: str | Path, source: str | Path | None = None) -> Release:
        """The release in ``folder``; ``source`` (the assignment's source folder) adds its notebook names."""
        files = _file_names(Path(folder))
        graded = files | (_file_names(Path(source)) if source is not None else set())
        return cls(Path(folder), frozenset(n for n in graded if n.endswith(".ipynb")), frozenset(files))

    def holds(self, relative: Path, folder: bool) -> bool:
        """Whether the release has a folder (``folder``) or a regular file at ``relative`` (no link followed)."""
        try:
            mode = os.lstat(self.folder / relative).st_mode
        except OSError:
            return False
        return stat.S_ISDIR(mode) if folder else stat.S_ISREG(mode)

    def notebook(self, name: str) -> nbformat.NotebookNode | None:
        """The released notebook ``name`` (the grader's own file), or None if there is none."""
        try:
            return nbformat.read(self.folder / name, as_version=4)
        except (OSError, ValueError):
            return None


def _file_names(folder: Path) -> set[str]:
    try:
        return {entry.name for entry in os.scandir(folder) if entry.is_file()}
    except OSError:
        return set()


def _release(release: Release | str | Path) -> Release:
    return release if isinstance(release, Release) else Release.at(release)


def _set_aside_here(folder: Path, name: str) -> bool:
    """Whether an entry named ``name`` was set aside in ``folder``."""
    return any(is_aside(entry) and original_name(entry) == name for entry in os.listdir(folder))
