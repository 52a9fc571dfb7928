"""The learned half of triage: a linear model over character n-grams (pure: no Django).

The rules in ``triage.py`` explain well but miss wordings nobody wrote a rule for. This model was
trained (``scripts/train_triage.py``, scikit-learn) on thousands of labelled messages written by
many different writers, and scores a message by the n-grams it contains. ``triage.classify`` takes
the higher of the two levels, so the model can only raise what the rules found. Its evidence is
the stretches of text whose n-grams pushed hardest towards the level it chose.

The model file is plain JSON (gzip): levels, intercepts, one weight per level for each n-gram, and
the thresholds that turn probabilities into a level. Scoring is a sum of weights, well under a
millisecond; nothing is downloaded or trained at run time.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from xinyuan.risk.evaluation import LEVELS

MODEL_PATH = Path(__file__).with_name("model") / "triage.json.gz"
LEXICON_DIR = Path(__file__).with_name("lexicon")
MAX_N = 3  # character n-grams of 1 to 3 characters
_WHITESPACE = re.compile(r"\s")
_WORD = re.compile(r"[a-z']+")


def grams(normalized: str) -> Iterator[tuple[str, int, int]]:
    """Every feature of a normalised text with its span: character n-grams (no blank ones, none
    spanning two spaces), English words and word pairs."""
    text = _WHITESPACE.sub(" ", normalized)
    for n in range(1, MAX_N + 1):
        for i in range(len(text) - n + 1):
            gram = text[i : i + n]
            if gram.strip() and "  " not in gram:
                yield "c" + gram, i, i + n
    words = list(_WORD.finditer(text))
    for word in words:
        yield "w" + word.group(), word.start(), word.end()
    for a, b in itertools.pairwise(words):
        yield "b" + a.group() + " " + b.group(), a.start(), b.end()


def features(normalized: str) -> dict[str, float]:
    """Binary features scaled to unit length, so long messages do not outvote short ones."""
    names = {name for name, _, _ in grams(normalized)}
    if not names:
        return {}
    value = 1.0 / math.sqrt(len(names))
    return dict.fromkeys(names, value)


@dataclass(frozen=True)
class Thresholds:
    """A level is chosen when the probability of it *or higher* reaches its threshold."""

    imminent: float
    high: float
    elevated: float | None = None  # None: the model never picks elevated; that is left to the rules
    # When the rules say high or imminent but P(high or imminent) is below this, the message is
    # held at elevated: the rules' words were there, in a message unlike any urgent one.
    doubt: float = 0.0


@dataclass(frozen=True)
class Model:
    intercepts: tuple[float, ...]  # one per level, in LEVELS order
    weights: dict[str, tuple[float, ...]]
    thresholds: Thresholds
    meta: dict[str, Any]

    def scores(self, normalized: str) -> list[float]:
        total = list(self.intercepts)
        for name, value in features(normalized).items():
            weight = self.weights.get(name)
            if weight is not None:
                for k, w in enumerate(weight):
                    total[k] += w * value
        return total

    def probabilities(self, normalized: str) -> list[float]:
        scores = self.scores(normalized)
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        whole = sum(exps)
        return [e / whole for e in exps]

    def level(self, normalized: str) -> int:
        return self.choose(self.probabilities(normalized))

    def choose(self, p: Sequence[float]) -> int:
        """Index into LEVELS: the highest level whose cumulative probability reaches its threshold."""
        if p[3] >= self.thresholds.imminent:
            return 3
        if p[2] + p[3] >= self.thresholds.high:
            return 2
        if self.thresholds.elevated is not None and p[1] + p[2] + p[3] >= self.thresholds.elevated:
            return 1
        return 0

    def doubts(self, p: Sequence[float]) -> bool:
        """True when, with these probabilities, an urgent reading by the rules is held at elevated."""
        return p[2] + p[3] < self.thresholds.doubt

    def explain(self, normalized: str, level: int, limit: int = 3) -> list[tuple[int, int]]:
        """Up to ``limit`` spans of text whose features pushed most towards ``level`` over ``none``:
        overlapping and touching n-grams are merged into one stretch."""
        if level <= 0:
            return []
        names = features(normalized)
        if not names:
            return []
        value = next(iter(names.values()))
        pushes: list[tuple[float, int, int]] = []
        for name, start, end in grams(normalized):
            weight = self.weights.get(name)
            if weight is not None:
                push = (max(weight[level:]) - weight[0]) * value
                if push > 0:
                    pushes.append((push, start, end))
        pushes.sort(reverse=True)
        strongest = sorted((start, end) for _, start, end in pushes[: limit * 4])
        merged: list[list[int]] = []
        for start, end in strongest:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        weight_of = {
            (a, b): sum(p for p, s, e in pushes[: limit * 4] if a <= s and e <= b) for a, b in merged
        }
        best = sorted(weight_of, key=lambda span: -weight_of[span])[:limit]
        return sorted(best)


def read_model(path: Path | str) -> Model:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    levels = tuple(data["levels"])
    if levels != LEVELS:
        raise ValueError(f"model levels {levels} are not {LEVELS}")
    weights = {name: tuple(values) for name, values in data["weights"].items()}
    return Model(
        intercepts=tuple(data["intercepts"]),
        weights=weights,
        thresholds=Thresholds(**data["thresholds"]),
        meta=data.get("meta", {}),
    )


def write_model(model: Model, path: Path) -> None:
    """The file ``read_model`` reads; the same model gives the same bytes (gzip without a time)."""
    data = {
        "levels": list(LEVELS),
        "intercepts": list(model.intercepts),
        "thresholds": vars(model.thresholds),
        "meta": model.meta,
        "weights": {name: list(model.weights[name]) for name in sorted(model.weights)},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    with path.open("wb") as handle, gzip.GzipFile(fileobj=handle, mode="wb", mtime=0) as packed:
        packed.write(raw)


@lru_cache(maxsize=1)
def default_model() -> Model | None:
    """The shipped model, or None when the file is missing (the rules then work alone)."""
    return read_model(MODEL_PATH) if MODEL_PATH.exists() else None


def training_sets(root: Path) -> list[Path]:
    """The labelled files the model is trained on, in a source checkout at ``root``: every writer
    in corpus/risk/ and the probe sets in tests/risk/ (not the dev set)."""
    return [
        *sorted((root / "corpus" / "risk").glob("*.jsonl")),
        *sorted((root / "tests" / "risk").glob("cases_*.jsonl")),
    ]


def corpus_digest(root: Path) -> str:
    """SHA-256 over the training sets and the lexicon (names relative to ``root`` and bytes). The
    model reads text with the lexicon's masks blanked, so the lexicon is part of its input. The
    model file records the digest, so a test can tell when the model was not retrained."""
    sha = hashlib.sha256()
    for path in [*training_sets(root), *sorted(LEXICON_DIR.glob("*.tsv"))]:
        sha.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()
