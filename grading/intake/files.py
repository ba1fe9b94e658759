"""Looking at a submitted file without trusting it: its kind, its name, its bytes, and setting it aside.

- :func:`read_regular` reads a file only if ``lstat`` shows a regular file within a
  size cap, through a descriptor opened without following links or blocking, and
  checked again (so a FIFO, device, socket or link is never opened).
- :func:`unsafe_name` says why a name must not reach formgrader's pages or a copy.
- :func:`aside_name` / :func:`original_name`: a file is set aside by renaming it in
  place to its percent-encoded name plus a suffix (never a hidden name, so the
  ``CourseDirectory.ignore`` globs in :data:`IGNORE` always match it), and the name it
  had is read back from that.
"""

from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote_from_bytes, unquote

#: Suffix of a submitted symbolic link set aside (never followed).
LINK_SUFFIX = ".link-not-collected"
#: Suffix of anything else the intake set aside in a submission.
REFUSED_SUFFIX = ".refused-not-collected"
#: Suffix of a submission folder set aside for its unsafe student id (under a hidden name).
UNSAFE_ID_SUFFIX = ".unsafe-id-not-collected"
SUFFIXES = (LINK_SUFFIX, REFUSED_SUFFIX, UNSAFE_ID_SUFFIX)
#: The globs ``CourseDirectory.ignore`` needs so that nbgrader never copies a set-aside file.
IGNORE = ["*" + LINK_SUFFIX, "*" + REFUSED_SUFFIX]

MAX_NAME_CHARS = 128
#: HTML's special characters and glob's: nbgrader's ``CourseDirectory.ignore`` matches a file by
#: globbing its folder's path, so below a folder named ``[x]`` nothing would be ignored.
_UNSAFE_CHARS = set("<>&\"'`\\*?[]")
#: Characters a set-aside name keeps as they are (besides letters, digits, ``_.-~``).
_KEEP = "@+=,"


class IntakeRefused(Exception):
    """A file is not safe to read; the message says why, for people."""


def kind(mode: int) -> str:
    """What a file of ``st_mode`` ``mode`` is, in words ("a FIFO (named pipe)", ...)."""
    for test, what in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"), (stat.S_ISREG, "a file")):
        if test(mode):
            return what
    return "a special file"


def read_regular(path: str | Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them; IntakeRefused otherwise.

    ``lstat`` first: a link, FIFO, device or socket is never opened. Then opened
    with ``O_NOFOLLOW | O_NONBLOCK`` and checked again on the descriptor (a file
    swapped in between is refused), and read up to ``limit + 1`` bytes. OSError
    if it cannot be looked at at all.
    """
    before = os.lstat(path)
    if not stat.S_ISREG(before.st_mode):
        raise IntakeRefused(f"it is {kind(before.st_mode)}, not a file")
    if before.st_size > limit:
        raise IntakeRefused(f"it is {before.st_size} bytes, more than the cap of {limit}")
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
            raise IntakeRefused("it changed while it was being read")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise IntakeRefused(f"it grew past the cap of {limit} bytes while it was being read")
    return data


def unsafe_name(name: str) -> str | None:
    """Why the file name ``name`` must not be collected (shown, copied), or None if it is safe.

    Unsafe: more than 128 characters, bytes that are not UTF-8, control and format
    characters (bidi overrides included), line separators, ``<>&"'`\\`` (HTML) and
    ``*?[]`` (glob: nbgrader's ignore list is matched by globbing a file's folder).
    """
    if len(name) > MAX_NAME_CHARS:
        return f"more than {MAX_NAME_CHARS} characters"
    for char in name:
        category = unicodedata.category(char)
        if "\udc80" <= char <= "\udcff":
            return "bytes that are not UTF-8"
        if char in _UNSAFE_CHARS or category[0] == "C" or category in ("Zl", "Zp"):
            return f"the character {ascii(char)}"
    return None


def aside_name(name: str, suffix: str, taken: Callable[[str], bool] = lambda candidate: False) -> str:
    """The name under which ``name`` is set aside: percent-encoded, never hidden, then ``suffix``.

    ``taken(candidate)`` says whether a candidate exists already; ``#<n>`` before the
    suffix makes it unique. A very long name is shortened (with a hash).
    :func:`original_name` reads the name back.
    """
    raw = os.fsencode(name)
    encoded = quote_from_bytes(raw, safe=_KEEP)
    if encoded.startswith("."):
        encoded = "%2E" + encoded[1:]
    if len(encoded) > 80:  # what is set aside keeps a safe name too (at most 128 characters)
        encoded = encoded[:80] + "#" + hashlib.sha256(raw).hexdigest()[:16]
    candidate, number = encoded + suffix, 1
    while taken(candidate):
        candidate, number = f"{encoded}#{number}{suffix}", number + 1
    return candidate


def original_name(aside: str) -> str:
    """The name a set-aside entry had (its start only, if it was very long)."""
    for suffix in SUFFIXES:
        if aside.endswith(suffix):
            aside = aside[: -len(suffix)]
            break
    return unquote(aside.split("#")[0], errors="surrogateescape")


def is_aside(name: str) -> bool:
    """Whether ``name`` is a set-aside name (or a name made to look like one)."""
    return name.endswith(SUFFIXES)


def shown(text: str) -> str:
    """``text`` as a log or a report may show it: printable ASCII kept, Python escapes for the rest."""
    return "".join(char if " " <= char <= "~" else ascii(char)[1:-1] for char in text)
