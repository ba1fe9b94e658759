"""Fingerprints, what is discounted, and how unusual the material a pair shares is.

**Fingerprints.** Each unit of a :class:`~grading.similarity.documents.Segment`
(a logical line of code, a sentence) is written as a string of one character
per normalized token, and ``copydetect`` hashes its k-grams
(``copydetect.utils.get_document_fingerprints``: k tokens, then winnowing with
``window`` k-grams; a unit shorter than k tokens is one fingerprint). With
``window`` 1 every k-gram is kept: the documents here are a few hundred tokens,
and ``copydetect`` hashes with Python's ``hash``, which is salted per process,
so any larger window would select other k-grams, and give other scores, in
every run.

**Discounted** (``discount=True``): every fingerprint of the *boilerplate*, the
released stub and the reference solution (for code) or the released
notebook's own text (for written answers), is removed from every student's
set: the scaffold everyone received and the one obvious solution (or last
year's published one) say nothing about who copied from whom.

**Rarity.** A fingerprint held by ``df`` students weighs
``min(1, (group - 1) / (df - 1))``: 1 when it is shared by a group of up to
``group`` students (a pair, a triangle), less the more students hold it, and 0
once more than ``common_share`` of the class (and more than ``group``) hold it.
Shared *mistakes* are fingerprints like any other: an unusual bug is rare, so
two students with the same one score high; a common slip scores little.

**Score** of a pair in one part: the geometric mean of two fractions, both
taken of the two students' material (the geometric mean of their sizes,
counted as at least ``floor`` fingerprints so that two nearly empty answers
sharing one phrase do not score 1):

- *rare*: the rarity-weighted count of the fingerprints they share, over their
  *own* material (the fingerprints that are not common in the class, held by
  at most ``common_share`` of it);
- *extent*: how many fingerprints they share at all, over all of them.

Both must be high: a copy shares nearly everything (extent) and what is
individual in it (rare); honest students who write the one obvious solution
share much but nothing rare, and honest students who happen to share one
unusual idiom share little else. Capped at 1.

Only fingerprints of positive weight produce pairs, so the work grows with the
number of fingerprints times ``common_share`` of the class, not with the
number of pairs.
"""

from __future__ import annotations

import collections
import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from copydetect.utils import get_document_fingerprints

from grading.similarity.documents import Segment, Token


@dataclass
class Document:
    """One student's part (``"code"`` or a written answer's grade id): its segments and fingerprints."""

    student: str
    part: str
    segments: list[Segment]
    #: fingerprint -> [(segment index, first token index in the segment, number of tokens)]
    prints: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    """How parts are fingerprinted and scored (``grading.tools.similarity.SimilarityReport`` sets them)."""

    k: int = 5
    window: int = 1
    group: int = 3
    common_share: float = 0.1
    floor: int = 10
    discount: bool = True


@dataclass
class Pair:
    """Two students' shared material in one part."""

    a: str
    b: str
    part: str
    score: float
    weight: float
    #: [(segment index in a, token index, length), ...] and the same for b, of the shared fingerprints
    marks_a: list = field(default_factory=list)
    marks_b: list = field(default_factory=list)


class Vocabulary:
    """One character per distinct normalized token, so that copydetect's character k-grams are token k-grams."""

    def __init__(self):
        self._chars: dict[str, str] = {}

    def encode(self, tokens: Iterable[Token]) -> str:
        chars = []
        for token in tokens:
            char = self._chars.get(token.norm)
            if char is None:
                char = self._chars[token.norm] = chr(0x10000 + len(self._chars))  # above the surrogates
            chars.append(char)
        return "".join(chars)


def fingerprint(segments: list[Segment], vocabulary: Vocabulary, settings: Settings) -> dict:
    """``{fingerprint: [(segment index, token index, length), ...]}`` of ``segments``, never across units."""
    prints = collections.defaultdict(list)
    for index, segment in enumerate(segments):
        first = 0
        for unit in segment.units:
            text = vocabulary.encode(unit)
            if len(text) < settings.k:
                prints[hash((segment.label, text))].append((index, first, len(text)))
            else:
                hashes, positions = get_document_fingerprints(text, settings.k, settings.window)
                for value in hashes:
                    key = hash((segment.label, int(value)))
                    prints[key].extend((index, first + int(position), settings.k) for position in positions[value])
            first += len(unit)
    return dict(prints)


def rarity(df: int, students: int, settings: Settings) -> float:
    """The weight of a fingerprint held by ``df`` of ``students`` students (see the module's docstring)."""
    if df < 2 or df > max(settings.group, math.floor(settings.common_share * students)):
        return 0.0
    return min(1.0, (settings.group - 1) / (df - 1))


def compare(documents: list[Document], boilerplate: list[Segment], settings: Settings,
            vocabulary: Vocabulary | None = None) -> list[Pair]:
    """Every pair of ``documents`` (all of one part) that shares material of positive weight, highest score first.

    ``boilerplate``: the segments whose fingerprints are discounted when ``settings.discount``.
    """
    vocabulary = vocabulary or Vocabulary()
    discounted = set(fingerprint(boilerplate, vocabulary, settings)) if settings.discount else set()
    for document in documents:
        document.prints = {key: where for key, where in fingerprint(document.segments, vocabulary, settings).items()
                           if key not in discounted}
    holders = collections.defaultdict(list)
    for number, document in enumerate(documents):
        for key in document.prints:
            holders[key].append(number)
    shared = collections.defaultdict(list)
    for key, group in holders.items():
        weight = rarity(len(group), len(documents), settings)
        if weight > 0:
            for a, b in itertools.combinations(group, 2):
                shared[a, b].append((key, weight))
    common = max(settings.group, math.floor(settings.common_share * len(documents)))
    own = [sum(1 for key in document.prints if len(holders[key]) <= common) for document in documents]
    pairs = []
    for (a, b), keys in shared.items():
        first, second = documents[a], documents[b]
        weight = sum(w for _, w in keys)
        rare = min(1.0, weight / max(math.sqrt(own[a] * own[b]), settings.floor))
        overlap = len(first.prints.keys() & second.prints.keys())
        extent = min(1.0, overlap / max(math.sqrt(len(first.prints) * len(second.prints)), settings.floor))
        pair = Pair(first.student, second.student, first.part, round(math.sqrt(rare * extent), 4), round(weight, 3))
        for key, _ in keys:
            pair.marks_a.extend(first.prints[key])
            pair.marks_b.extend(second.prints[key])
        pairs.append(pair)
    return sorted(pairs, key=lambda pair: (-pair.score, pair.a, pair.b))


def spans(document: Document, marks: list) -> dict[int, list[tuple[int, int]]]:
    """``{segment index: [(start, end) character spans]}`` covered by ``marks``, merged, in order."""
    covered = collections.defaultdict(set)
    for index, first, length in marks:
        covered[index].update(range(first, first + length))
    result = {}
    for index, tokens in covered.items():
        flat = [token for unit in document.segments[index].units for token in unit]
        runs = []
        for position in sorted(tokens):
            token = flat[position]
            if runs and runs[-1][2] == position - 1:
                runs[-1] = (runs[-1][0], token.end, position)
            else:
                runs.append((token.start, token.end, position))
        result[index] = [(start, end) for start, end, _ in runs]
    return result
