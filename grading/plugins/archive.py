"""Unpack Moodle's "Download all submissions" archive for ``nbgrader zip_collect``, within caps.

``c.ZipCollectApp.extractor_plugin = "grading.plugins.archive.BoundedExtractor"``.

nbgrader's own ``ExtractorPlugin`` runs in the grader's process, as the instructor,
and unpacks every archive it finds, then every archive inside those (``tree=True``)
until none is left: a ``.zip`` a student hands in to Moodle is unpacked too, each
member read whole into memory (``setuptools.archive_util``), with its mode bits.
A student's zip of a few megabytes that unpacks to gigabytes (or a zip that holds
itself) would stop the collection of the whole class or fill the disk.

``BoundedExtractor`` unpacks only the archives the instructor put in the archive
folder (Moodle's download), never one found inside them (a student's archive is
collected as a file like any other, and nothing of it is graded), and streams
each member under caps:

- a member whose path is absolute or climbs out (``..``) is skipped;
- a member larger than ``max_member_bytes`` (as declared, and as actually read) is
  skipped, with a warning that names it;
- an archive of more than ``max_members`` members, or whose members add up to more
  than ``max_total_bytes``, is not unpacked at all: an error says why.

Files are created new (never through an existing name or link), with the default
permissions, not the archive's mode bits. Other files in the archive folder are
copied as nbgrader copies them.
"""

from __future__ import annotations

import os
import shutil
import zipfile

from nbgrader.plugins import ExtractorPlugin
from traitlets import Integer

CHUNK = 1024**2


class ArchiveRefused(Exception):
    """An archive (or one of its members) is not unpacked; the message says why."""


class BoundedExtractor(ExtractorPlugin):
    """nbgrader's extractor, bounded: top-level zip archives only, each member streamed under caps."""

    max_member_bytes = Integer(64 * 1024**2, help="Largest file unpacked from an archive, in bytes.").tag(config=True)
    max_total_bytes = Integer(4 * 1024**3, help="Most bytes one archive may unpack to.").tag(config=True)
    max_members = Integer(50_000, help="Most files and folders one archive may hold.").tag(config=True)

    def extract(self, archive_path: str, extracted_path: str) -> None:
        """Unpack each ``.zip`` in ``archive_path`` into ``extracted_path/<its name>/``; copy other files."""
        for root, _, files in os.walk(archive_path):
            extract_to = os.path.normpath(os.path.join(extracted_path, os.path.relpath(root, archive_path)))
            os.makedirs(extract_to, exist_ok=True)
            for name in sorted(files):
                path = os.path.join(root, name)
                if name.lower().endswith(".zip"):
                    self.log.info("Extracting from: %s", path)
                    try:
                        self.unzip(path, os.path.join(extract_to, name[:-4]))
                    except (ArchiveRefused, zipfile.BadZipFile, OSError) as error:
                        self.log.error("Not unpacked: %s (%s)", path, error)
                elif os.path.splitext(name)[1] in self.zip_ext:
                    self.log.error("Not unpacked: %s (only .zip archives are unpacked; unpack it yourself)", path)
                else:
                    shutil.copy(path, os.path.join(extract_to, name))

    def unzip(self, path: str, destination: str) -> None:
        """Unpack the zip archive ``path`` into the new or empty folder ``destination``, under the caps."""
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > self.max_members:
                raise ArchiveRefused(f"it holds {len(members)} members, more than the cap of {self.max_members}")
            wanted = [member for member in members if self._wanted(member)]
            total = sum(member.file_size for member in wanted)
            if total > self.max_total_bytes:
                raise ArchiveRefused(f"it unpacks to {total} bytes, more than the cap of {self.max_total_bytes}")
            os.makedirs(destination, exist_ok=True)
            for member in wanted:
                target = os.path.join(destination, *member.filename.split("/"))
                if member.is_dir():
                    os.makedirs(target, exist_ok=True)
                    continue
                os.makedirs(os.path.dirname(target), exist_ok=True)
                try:
                    self._copy(archive, member, target)
                except (ArchiveRefused, FileExistsError, zipfile.BadZipFile) as error:
                    self.log.warning("Skipped %r in %s: %s", member.filename, path, error)

    def _wanted(self, member: zipfile.ZipInfo) -> bool:
        parts = member.filename.rstrip("/").split("/")
        if member.filename.startswith("/") or any(part in ("", ".", "..") for part in parts):
            self.log.warning("Skipped %r: its path is absolute or leaves the archive's folder", member.filename)
            return False
        if member.file_size > self.max_member_bytes:
            self.log.warning("Skipped %r: %d bytes, more than the cap of %d", member.filename, member.file_size,
                             self.max_member_bytes)
            return False
        return True

    def _copy(self, archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: str) -> None:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
        written = 0
        try:
            with archive.open(member) as source, os.fdopen(fd, "wb") as out:
                while chunk := source.read(CHUNK):
                    written += len(chunk)
                    if written > self.max_member_bytes:
                        raise ArchiveRefused(f"it unpacks to more than the cap of {self.max_member_bytes} bytes")
                    out.write(chunk)
        except BaseException:
            os.unlink(target)
            raise
