"""Student text made comparable: units of normalized tokens, each remembering where it came from.

A :class:`Segment` is one file's text as handed in (a module, or one written
answer) and its *units*: for code, the logical lines; for prose, the
sentences. Fingerprints never span two units, so the order of functions,
statements and sentences does not matter, and disguise changes nothing that is
compared:

- code (:func:`code_segment`): Python's ``tokenize``; comments, blank lines,
  indentation and docstrings (a logical line that is only a string) dropped;
  every name the student chose (variables, parameters, functions, import
  aliases) becomes ``V``; keywords, built-ins, attribute names after ``.``
  (``np.sum``), operators, numbers and string contents stay. Code that
  ``tokenize`` cannot read (unbalanced brackets, bad indentation) is split
  into words and symbols by a regular expression instead, one line per unit.
- prose (:func:`text_segment`): words in lower case, stop words and
  connectives dropped, a small glossary of the course's synonyms mapped to one
  word (:data:`SYNONYMS`: "parameters" for "weights", "drags" for "pulls",
  "precisely" for "exactly" ...), then Snowball's English stemmer
  (``snowballstemmer``, pinned in ``requirements.txt``).

Every token keeps its character span in the original text, so the report can
mark the matching regions. The work is linear in the text's length.
"""

from __future__ import annotations

import builtins
import io
import keyword
import re
import tokenize
from dataclasses import dataclass, field

import snowballstemmer


@dataclass(frozen=True)
class Token:
    """One normalized token and its ``[start, end)`` character span in the original text."""

    norm: str
    start: int
    end: int


@dataclass
class Segment:
    """One file's text as handed in (``label`` names it) and its units of tokens."""

    label: str
    text: str
    units: list[list[Token]] = field(default_factory=list)


_BUILTINS = frozenset(dir(builtins))
_SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING,
            tokenize.ENDMARKER}
_CODE_FALLBACK = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d[\w.]*|\S")


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for match in re.finditer("\n", text):
        starts.append(match.end())
    return starts


def _name(previous: str | None, name: str) -> str:
    if keyword.iskeyword(name) or name in _BUILTINS or previous == ".":
        return name
    return "V"


def code_segment(label: str, text: str) -> Segment:
    """``text`` (Python source) as units of normalized tokens, one unit per logical line."""
    segment = Segment(label, text)
    starts = _line_starts(text)
    offset = lambda position: starts[position[0] - 1] + position[1]  # noqa: E731
    unit: list[Token] = []
    previous = None
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.NEWLINE:
                _close(segment, unit)
                unit, previous = [], None
                continue
            if tok.type in _SKIPPED:
                continue
            if tok.type == tokenize.NAME:
                norm = _name(previous, tok.string)
            elif tok.type == tokenize.STRING:
                norm = '"' + re.sub(r"^[A-Za-z]*('''|\"\"\"|'|\")|('''|\"\"\"|'|\")$", "", tok.string)
            else:
                norm = tok.string
            unit.append(Token(norm, offset(tok.start), offset(tok.end)))
            previous = tok.string
        _close(segment, unit)
    except (tokenize.TokenError, SyntaxError, IndexError):
        return _fallback_code_segment(label, text)
    return segment


def _close(segment: Segment, unit: list[Token]) -> None:
    """Add ``unit`` unless it is empty or only a string (a docstring)."""
    if unit and not all(token.norm.startswith('"') for token in unit):
        segment.units.append(unit)


def _fallback_code_segment(label: str, text: str) -> Segment:
    """Code ``tokenize`` cannot read: words and symbols by a regular expression, one line per unit."""
    segment = Segment(label, text)
    position = 0
    for line in text.splitlines(keepends=True):
        code = line.split("#", 1)[0]
        unit, previous = [], None
        for match in _CODE_FALLBACK.finditer(code):
            word = match.group()
            norm = _name(previous, word) if re.fullmatch(r"[A-Za-z_]\w*", word) else word
            unit.append(Token(norm, position + match.start(), position + match.end()))
            previous = word
        if unit:
            segment.units.append(unit)
        position += len(line)
    return segment


#: Words that carry no content of their own in an explanation.
STOP_WORDS = frozenset("""
a an the of to in on at by for with from into onto towards toward about as than then so thus hence
therefore consequently which that this these those there here it its it's itself they them their we our
you your i me my he she his her is are was were be been being am do does did doing has have had having
will would shall should can could may might must and or but also too very quite rather really just
more most much such while when whenever where how what why who whom whose if because since although
though even still yet already ever both either neither one ones some any
""".split())

#: The course's synonyms: each group is read as its first word (a copier's usual substitutions).
SYNONYM_GROUPS = [
    "weight parameter coefficient entry",
    "zero 0 nil null nought",
    "pull push drive drag draw force nudge attract move",
    "shrink reduce decrease diminish lower cut decay dampen",
    "small tiny little minor low smaller tinier lesser",
    "large big huge great high bigger larger greater higher",
    "many lot lots numerous plenty several multiple",
    "exactly precisely strictly truly completely totally entirely",
    "same equal constant identical uniform fixed",
    "size magnitude amount absolute",
    "become end get turn land go finish wind reach",
    "gradient derivative slope",
    "penalize punish penalise",
    "input feature variable",
    "rarely seldom hardly barely",
    "every each all",
    "proportional proportionate proportionally relative",
    "sparse sparsity sparser",
    "near close nearly approximately roughly",
    "because due",
]

_STEMMER = snowballstemmer.stemmer("english")
_WORD = re.compile(r"[A-Za-z0-9]+")
_SENTENCE_END = re.compile(r"[.!?;:]\s|\n\s*\n|\n\s*(?:[-*+]|\d+[.)])\s")


def _stem(word: str) -> str:
    return _STEMMER.stemWord(word)


SYNONYMS = {_stem(word): _stem(group.split()[0]) for group in SYNONYM_GROUPS for word in group.split()}


def normalize_word(word: str) -> str | None:
    """The comparable form of one word (None for a stop word)."""
    word = word.lower()
    if word in STOP_WORDS:
        return None
    stem = _stem(word)
    return SYNONYMS.get(stem, stem)


def text_segment(label: str, text: str) -> Segment:
    """``text`` (a written answer) as units of normalized words, one unit per sentence or list item."""
    segment = Segment(label, text)
    unit: list[Token] = []
    previous_end = 0
    for match in _WORD.finditer(text):
        if unit and _SENTENCE_END.search(text[previous_end:match.start()]):
            segment.units.append(unit)
            unit = []
        norm = normalize_word(match.group())
        if norm is not None:
            unit.append(Token(norm, match.start(), match.end()))
        previous_end = match.end()
    if unit:
        segment.units.append(unit)
    return segment
