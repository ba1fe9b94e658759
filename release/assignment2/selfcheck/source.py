"""The text of a student's module, read exactly as Python reads it, or refused.

Every static reader of ``regularization.py`` (the audit, the loop finder,
name resolution) reads the text :func:`module_text` gives, never bytes
decoded some other way. Python decodes a module by its encoding cookie
(``# -*- coding: utf-7 -*-``), its byte-order mark and universal newlines;
a reader that decoded it otherwise would read other code than the code
that runs (in UTF-7, ``+AAo-`` is a newline, so a loop can hide in what a
UTF-8 reader takes for a comment).

The release states that the files are UTF-8, so a module that declares any
other encoding is refused outright, whatever it holds: the static readers
do not read it, the submission is flagged, and the points of the loop check
are not given. So are modules Python cannot decode or that hold null bytes
(Python refuses them too), and modules larger than the audit reads.

:class:`Unreadable` is also what the static readers raise for source they
cannot read within their bounds (nested deeper than they follow, more
IPython syntax than they transform): the caller flags the submission with
its reason.
"""

from __future__ import annotations

import codecs
import importlib.util
import io
import re
import tokenize

#: What PEP 263 takes for an encoding declaration, searched anywhere in the
#: first two lines (Python looks only in a comment there: this is a superset).
_COOKIE = re.compile(rb"coding[:=][ \t]*([-\w.]+)")


class Unreadable(Exception):
    """Source that the static readers refuse or cannot read; ``str()`` is the reason, for a person."""


def _is_utf8(name: str) -> bool:
    try:
        return codecs.lookup(name).name in ("utf-8", "utf-8-sig")
    except LookupError:
        return False


def declared_encodings(data: bytes) -> list[str]:
    """Every encoding named by something that looks like a coding declaration in the first two lines.

    Python's tokenizer honours a declaration only in a comment on line 1
    or 2 (line 2 only after a comment or blank line 1); this reports any
    ``coding:``/``coding=`` in those lines, so that no reading of them can
    disagree with it.
    """
    head = b"\n".join(data.split(b"\n", 2)[:2])
    return [m.group(1).decode("ascii", "replace") for m in _COOKIE.finditer(head)]


def module_text(data: bytes, max_bytes: int | None = None, name: str = "regularization.py") -> str:
    """The text Python executes for the module whose bytes are ``data``.

    Raises :class:`Unreadable`, with the reason, if the module is larger
    than ``max_bytes``, declares an encoding other than UTF-8 (also next to
    a UTF-8 byte-order mark), holds null bytes or does not decode.
    Otherwise the text is what ``importlib`` decodes (``decode_source``: the
    byte-order mark dropped, newlines made ``\\n``), so the static readers
    parse the very text the interpreter compiles.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise Unreadable(f"{name} is {len(data)} bytes, more than the audit reads ({max_bytes} bytes); "
                         "it was not audited")
    others = [e for e in declared_encodings(data) if not _is_utf8(e)]
    if others:
        raise Unreadable(f"{name} declares the encoding {others[0]!r} (a coding cookie); the assignment's "
                         "files are UTF-8, and code in another encoding reads differently to Python "
                         "than to the audit")
    if b"\0" in data:
        raise Unreadable(f"{name} holds null bytes (Python cannot run it either)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        if not _is_utf8(encoding):
            raise Unreadable(f"{name} is in the encoding {encoding!r}; the assignment's files are UTF-8")
        return importlib.util.decode_source(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as error:
        raise Unreadable(f"{name} is not valid UTF-8 (Python cannot read it either): {error}") from None
