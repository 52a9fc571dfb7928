"""Explainable suicide-risk triage of what a seeker writes.

Pure module (no Django). ``classify(text)`` returns a level (none < elevated < high < imminent),
whom the risk is about (the writer or someone else) and the evidence: each phrase that counted,
its kind and its span in the original text. How it works is described in docs/risk-triage.md.
"""

from __future__ import annotations

import bisect
import importlib
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from xinyuan.risk import learned

Level = Literal["none", "elevated", "high", "imminent"]
About = Literal["self", "other"]
LEVELS: tuple[Level, ...] = ("none", "elevated", "high", "imminent")

LEXICON_DIR = learned.LEXICON_DIR

# Kinds that are risk by themselves (their lexicon level is what they mean alone).
RISK_KINDS = frozenset(
    {
        "ideation",
        "intent",
        "passive_wish",
        "plan",
        "method_inquiry",
        "self_harm",
        "past_attempt",
        "act_in_progress",
        "means",
        "farewell",
        "hopelessness",
        "burden",
        "worthlessness",
        "harm_to_others",
        "pact",
        "diagnosis",
    }
)
# Kinds that only matter through the rules below (their level is a strength, 0-2).
CONTEXT_KINDS = frozenset(
    {
        "desire",
        "death",
        "method",
        "dose",
        "ingest",
        "ready",
        "present",
        "place",
        "timeframe",
        "act_now",
        "recent",
        "past",
        "negator",
        "frame",
        "mask",
        "self_ref",
        "other_ref",
        "neutral_ref",
        "question",
        "lethal",
        "injure",
        "body",
        "unreachable",
        "distress",
        "symptom",
        "research",
        "consume",
        "jump",
        "departure",
        "affirm",
        "acquire",
        "only",
        "join",
        "deceased",
        "joke",
        "effect",
        "bleeding",
        "relief",
    }
)
KINDS = RISK_KINDS | CONTEXT_KINDS

# Kinds a timeframe in the same (or a short neighbouring) clause turns into "imminent".
TIMED_KINDS = frozenset({"ideation", "intent", "plan", "pact", "harm_to_others", "farewell"})
# Preparations: a timeframe anywhere in the message makes them "imminent".
PREPARATION_KINDS = frozenset({"plan", "pact", "means", "farewell"})
THOUGHT_KINDS = frozenset({"ideation", "intent", "plan", "pact", "method_inquiry"})
# Kinds whose level depends on when it happened (past → elevated, recent → high).
WHEN_KINDS = frozenset({"self_harm", "past_attempt"})

NEGATION_TOKENS = 4  # a Chinese negator counts with at most this many words before the cue
NEGATION_WORDS = 2  # an English one binds tighter ("not okay i want to die" is not negated)
DESIRE_GAP = 8  # characters allowed between 想/want and the death word
ENGLISH_DESIRE_GAP = 14  # "want it all to be over": English words are longer
BARE_DEATH_GAP = 3  # …but only this many before a bare 死
PAIR_GAP = 8  # injure verb ↔ body part, ingest verb ↔ substance, present ↔ place
SELF_DEATH_GAP = 3  # 我 … 死 with at most this many characters between
SHORT_CLAUSE = 10  # a neighbouring clause this short may carry the timeframe ("zs 就今晚")

_CJK = "\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_SENTENCE_END = re.compile(r"[。！？!?；;\n…]+|\.(?=\s|$)")
_CLAUSE_SPLIT = re.compile(
    rf"[。！？!?；;\n…，,、：:“”\"「」『』（）()~～]+|\.(?=\s|$)"
    rf"|(?<=[{_CJK}])\s+(?=[{_CJK}])"
    r"|(?=但是|可是|不过|然而|但(?!愿)|\bbut\b|\bhowever\b|\bthough\b)"
)
_QUOTES = re.compile(r"“[^”]*”|「[^」]*」|『[^』]*』|\"[^\"]*\"")
_ASCII_WORD = re.compile(r"[a-z0-9]")
_ENGLISH_WORD = re.compile(r"[a-z0-9']+")
_WORDISH = re.compile(rf"[a-z0-9{_CJK}]")
_PLURAL = frozenset({"pills", "tablets"})  # several pills, not "my meds"
_SLEEP = re.compile(r"睡|醒|sleep|wake")
_BOUGHT = re.compile(r"买|bought|got the|到手|快递|刚到")
_PILL_COUNT = re.compile(r"片|粒|颗|💊|pill|tablet")
_UNFENCED = re.compile(r"护栏|围栏|栏杆|fence|railing")
_SWALLOW = re.compile(r"吞|swallow")
_COMPLETED = re.compile(r"[了过咗]|ed\b")
_BLADES_AND_CORDS = re.compile(r"刀|剪|绳|皮带|围巾|床单|knife|blade|razor|rope|cord|belt|🔪|🪢")
_OBJECT_MARKERS = frozenset("给跟和对被让叫问骂帮找陪替向为把当同")
_FULL_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULL_WIDTH.update({0x3000: 0x20, 0x2019: 0x27, 0x2018: 0x27, 0x00B4: 0x27, 0x0060: 0x27})
# Traditional forms opencc keeps because they are also valid Simplified characters.
_FULL_WIDTH.update({ord("著"): ord("着"), ord("妳"): ord("你"), ord("祢"): ord("你")})


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Evidence:
    """One phrase that counted, with its span in the original text."""

    phrase: str
    kind: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"phrase": self.phrase, "kind": self.kind, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Triage:
    level: Level
    about: About
    evidence: tuple[Evidence, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "about": self.about,
            "evidence": [item.to_dict() for item in self.evidence],
        }


# --------------------------------------------------------------------------- lexicon


@dataclass(frozen=True)
class Entry:
    phrase: str  # normalised literal, or a regular expression when ``pattern`` is set
    kind: str
    level: int
    pattern: bool = False
    local: bool = False  # from a hotline's own file: the learned model never doubts it


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    kind: str
    level: int
    local: bool = False


class Lexicon:
    """Phrases with kinds and levels, indexed for a fast left-to-right scan."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        merged: dict[tuple[str, str, bool], Entry] = {}
        for entry in entries:  # a later file overrides the level of an earlier one
            merged[(entry.phrase, entry.kind, entry.pattern)] = entry
        self.entries: tuple[Entry, ...] = tuple(merged.values())
        self._short: dict[str, list[Entry]] = {}
        self._long: dict[str, list[Entry]] = {}
        self._patterns: list[tuple[re.Pattern[str], Entry, frozenset[str] | None]] = []
        for entry in self.entries:
            if entry.pattern:
                regex = re.compile(entry.phrase)
                self._patterns.append((regex, entry, _first_chars(entry.phrase)))
            elif len(entry.phrase) == 1:
                self._short.setdefault(entry.phrase, []).append(entry)
            else:
                self._long.setdefault(entry.phrase[:2], []).append(entry)

    def __len__(self) -> int:
        return len(self.entries)

    def scan(self, text: str) -> list[Match]:
        """Every occurrence of every phrase and pattern in ``text`` (already normalised)."""
        found: list[Match] = []
        short, long_ = self._short, self._long
        for i, char in enumerate(text):
            for entry in short.get(char, ()):
                if _bounded(text, i, i + 1, entry.phrase):
                    found.append(Match(i, i + 1, entry.kind, entry.level, entry.local))
            for entry in long_.get(text[i : i + 2], ()):
                end = i + len(entry.phrase)
                if text.startswith(entry.phrase, i) and _bounded(text, i, end, entry.phrase):
                    found.append(Match(i, end, entry.kind, entry.level, entry.local))
        chars = set(text)
        for regex, entry, first in self._patterns:
            if first is not None and chars.isdisjoint(first):
                continue  # a match must start with one of these characters: skip the search
            for hit in regex.finditer(text):
                if hit.end() > hit.start():
                    found.append(Match(hit.start(), hit.end(), entry.kind, entry.level, entry.local))
        return found


def _first_chars(pattern: str) -> frozenset[str] | None:
    """The characters a match of ``pattern`` must start with, or None when that is unknown."""
    try:
        # re's own parser (private, hence looked up by name, which also keeps type checkers quiet).
        parser: Any = importlib.import_module("re._parser")
        return _starts(list(parser.parse(pattern)))
    except Exception:  # an unusual pattern: always run it
        return None


def _starts(items: list[Any]) -> frozenset[str] | None:
    c: Any = importlib.import_module("re._constants")

    for index, (op, arg) in enumerate(items):
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # zero-width: look at what follows
        if op in (c.MAX_REPEAT, c.MIN_REPEAT) and arg[0] == 0:  # optional: it or what follows
            optional, rest = _starts(list(arg[2])), _starts(items[index + 1 :])
            return None if optional is None or rest is None else optional | rest
        if op is c.LITERAL:
            return frozenset(chr(arg))
        if op is c.IN:
            chars: set[str] = set()
            for kind, value in arg:
                if kind is c.LITERAL:
                    chars.add(chr(value))
                elif kind is c.CATEGORY and value is c.CATEGORY_DIGIT:
                    chars.update("0123456789")
                elif kind is c.RANGE and value[1] - value[0] < 100:
                    chars.update(chr(v) for v in range(value[0], value[1] + 1))
                else:
                    return None
            return frozenset(chars)
        if op is c.SUBPATTERN:
            return _starts(list(arg[-1]))
        if op is c.BRANCH:
            branches = [_starts(list(branch)) for branch in arg[1]]
            if any(branch is None for branch in branches):
                return None
            return frozenset().union(*branches)  # type: ignore[arg-type]
        if op in (c.MAX_REPEAT, c.MIN_REPEAT) and arg[0] >= 1:
            return _starts(list(arg[2]))
        return None
    return None


def _bounded(text: str, start: int, end: int, phrase: str) -> bool:
    """English words must not match inside longer words ("die" in "diet")."""
    if _ASCII_WORD.match(phrase[0]) and start > 0 and _ASCII_WORD.match(text[start - 1]):
        return False
    return not (_ASCII_WORD.match(phrase[-1]) and end < len(text) and _ASCII_WORD.match(text[end]))


def read_entries(path: Path | str, *, local: bool = False) -> list[Entry]:
    """Read one lexicon file: ``phrase<TAB>kind<TAB>level[<TAB>note]``; ``#`` starts a comment.
    ``local``: a hotline's own file."""
    entries: list[Entry] = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        columns = line.split("\t")
        if len(columns) < 3:
            raise ValueError(f"{path}:{number}: expected phrase<TAB>kind<TAB>level")
        phrase, kind, level_text = columns[0].strip(), columns[1].strip(), columns[2].strip()
        if kind not in KINDS:
            raise ValueError(f"{path}:{number}: unknown kind {kind!r}")
        if level_text not in {"0", "1", "2", "3"}:
            raise ValueError(f"{path}:{number}: level must be 0-3, not {level_text!r}")
        if phrase.startswith("re:"):
            pattern = phrase[3:]
            re.compile(pattern)  # fail at load time, with the file and line in the traceback
            entries.append(Entry(pattern, kind, int(level_text), pattern=True, local=local))
        elif phrase:
            variants = _variants(phrase)
            if kind in _GERUND_KINDS:
                variants |= {_gerund(variant) for variant in variants}
            entries.extend(Entry(variant, kind, int(level_text), local=local) for variant in variants)
    return entries


def _variants(phrase: str) -> set[str]:
    """The phrase as the scanner sees it, plus the spelling without apostrophes (dont, im)."""
    base = normalize(phrase)
    return {base, base.replace("'", "")} - {""}


# English death phrases also match with their first verb in -ing form (jump off → jumping off),
# so "thinking about jumping in front of a train" pairs like "want to jump in front of".
_GERUND_KINDS = frozenset({"death"})
_DOUBLED = re.compile(r"^[a-z]*[^aeiou][aeiou][bdgmnprt]$")


def _gerund(phrase: str) -> str:
    first, _, rest = phrase.partition(" ")
    if not first.isascii() or not first.isalpha() or len(first) < 3 or first.endswith("ing"):
        return phrase
    if first.endswith("ie"):
        verb = first[:-2] + "ying"
    elif first.endswith("e") and not first.endswith("ee"):
        verb = first[:-1] + "ing"
    elif _DOUBLED.match(first) and len(first) <= 4:
        verb = first + first[-1] + "ing"
    else:
        verb = first + "ing"
    return f"{verb} {rest}".strip()


def load_lexicon(extra_paths: Iterable[Path | str] = ()) -> Lexicon:
    """The curated lexicon (every ``*.tsv`` in ``lexicon/``) merged with a hotline's own files."""
    entries: list[Entry] = []
    for path in sorted(LEXICON_DIR.glob("*.tsv")):
        entries.extend(read_entries(path))
    for extra in extra_paths:
        entries.extend(read_entries(extra, local=True))
    return Lexicon(entries)


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return load_lexicon()


# --------------------------------------------------------------------------- normalising


class _Simplifier:
    """Traditional → Simplified with opencc, loaded once and only run when needed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._converter: Any = None
        self._traditional: frozenset[str] = frozenset()

    def _load(self) -> None:
        import opencc

        converter = opencc.OpenCC("t2s")
        traditional: set[str] = set()
        folder = Path(opencc.__file__).with_name("dictionary")
        for name in ("TSCharacters.txt", "TSPhrases.txt"):
            path = folder / name
            if not path.exists():  # unknown layout: convert every message
                traditional = set()
                break
            for line in path.read_text(encoding="utf-8").splitlines():
                traditional.update(line.split("\t", 1)[0])
        self._traditional = frozenset(traditional)
        self._converter = converter

    def __call__(self, text: str) -> str:
        if self._converter is None:
            with self._lock:
                if self._converter is None:
                    self._load()
        if self._traditional and self._traditional.isdisjoint(text):
            return text
        converted: str = self._converter.convert(text)
        if len(converted) == len(text):
            return converted
        # Spans must map 1:1 onto the original: fall back to converting character by character.
        out = []
        for char in text:
            one: str = self._converter.convert(char)
            out.append(one if len(one) == 1 else char)
        return "".join(out)


to_simplified = _Simplifier()


def normalize(text: str) -> str:
    """Simplified, lower-case, half-width text of exactly the same length as ``text``."""
    simplified = to_simplified(text).translate(_FULL_WIDTH)
    lowered = simplified.lower()
    if len(lowered) != len(simplified):  # e.g. "İ" lower-cases to two characters
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in simplified)
    if _LEET.search(lowered):  # k1ll mys3lf, su1c1de: a digit between letters is a letter
        lowered = _LEET.sub(lambda m: _LEET_LETTERS[m.group()], lowered)
    return lowered


_LEET = re.compile(r"(?<=[a-z])[013457@$](?=[a-z])")
_LEET_LETTERS = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
# Chinese typed one character at a time with spaces (我 想 死 了): read as one word
_SPACED = re.compile(rf"(?:[{_CJK}] ){{2,}}[{_CJK}]")


def compact(text: str) -> tuple[str, list[int] | None]:
    """``text`` without the spaces inside runs of spaced single characters, and for each
    character left its index in ``text`` (None when nothing was removed)."""
    if not _SPACED.search(text):
        return text, None
    keep = [True] * len(text)
    for run in _SPACED.finditer(text):
        for i in range(run.start() + 1, run.end(), 2):
            keep[i] = False
    index = [i for i, kept in enumerate(keep) if kept]
    return "".join(text[i] for i in index), index


# --------------------------------------------------------------------------- segmenting


class Segments:
    """Clauses (split at punctuation, spaces between Chinese words, 但是/but) and sentences."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts, ends, sentence_of = [], [], []
        sentence, position = 0, 0
        for cut in _CLAUSE_SPLIT.finditer(text):
            if cut.start() > position:
                starts.append(position)
                ends.append(cut.start())
                sentence_of.append(sentence)
            if _SENTENCE_END.search(cut.group()):
                sentence += 1
            position = cut.end()
        if position < len(text):
            starts.append(position)
            ends.append(len(text))
            sentence_of.append(sentence)
        self.starts: list[int] = starts
        self.ends: list[int] = ends
        self.sentence_of: list[int] = sentence_of
        self.quotes = [(q.start(), q.end()) for q in _QUOTES.finditer(text)]

    def clause(self, position: int) -> int:
        return max(0, bisect.bisect_right(self.starts, position) - 1)

    def sentence(self, position: int) -> int:
        return self.sentence_of[self.clause(position)] if self.starts else 0

    def clause_text(self, index: int) -> str:
        return self.text[self.starts[index] : self.ends[index]]

    def is_short(self, index: int) -> bool:
        text = self.clause_text(index)
        units = sum(1 for c in text if ord(c) > 0x2E7F) + 2 * len(_ENGLISH_WORD.findall(text))
        return units <= SHORT_CLAUSE


# --------------------------------------------------------------------------- tokens (negation)


class _Tokens:
    """jieba, in a private tokenizer so the rest of the app's dictionary is left alone."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokenizer: Any = None

    def cut(self, text: str) -> list[tuple[int, int]]:
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    import jieba

                    jieba.setLogLevel(60)
                    tokenizer = jieba.Tokenizer()
                    tokenizer.initialize()
                    self._tokenizer = tokenizer
        spans, position = [], 0
        for token in self._tokenizer.cut(text, HMM=False):
            spans.append((position, position + len(token)))
            position += len(token)
        return spans


tokens = _Tokens()


def warm_up() -> None:
    """Load opencc, jieba and the lexicon now rather than on the first message."""
    classify("我不會自殺的 想死 I'm not suicidal")


# --------------------------------------------------------------------------- findings


@dataclass
class Finding:
    """Evidence under construction: a risk kind, a level, and the matches that make it up."""

    kind: str
    level: int
    parts: list[Match]
    extra: list[tuple[Match, str]] = field(default_factory=list)  # context shown as evidence

    @property
    def start(self) -> int:
        return min(part.start for part in self.parts)

    @property
    def end(self) -> int:
        return max(part.end for part in self.parts)


class Message:
    """A normalised message, its matches grouped by kind, and its clauses."""

    def __init__(self, text: str, lexicon: Lexicon) -> None:
        self.original = text
        self.normalized = normalize(text)  # same length as ``text``: the learned model's spans
        self.text, self.index = compact(self.normalized)
        self.segments = Segments(self.text)
        scanned = lexicon.scan(self.text)
        self.masks = [(m.start, m.end) for m in scanned if m.kind == "mask"]
        matches = _drop_masked(scanned)
        self.by_kind: dict[str, list[Match]] = {}
        for match in sorted(matches, key=lambda m: (m.start, -m.end)):
            self.by_kind.setdefault(match.kind, []).append(match)
        self.people = _longest_first(self.of("self_ref") + self.of("other_ref") + self.of("neutral_ref"))
        self._token_cache: dict[int, list[tuple[int, int]]] = {}

    def of(self, kind: str) -> list[Match]:
        return self.by_kind.get(kind, [])

    def clause(self, match: Match) -> int:
        return self.segments.clause(match.start)

    def sentence(self, match: Match) -> int:
        return self.segments.sentence(match.start)

    def in_clause(self, kind: str, clause: int) -> list[Match]:
        return [m for m in self.of(kind) if self.clause(m) == clause]

    def window(self, clause: int) -> set[int]:
        """The clause and its neighbours in the same sentence."""
        sentence_of = self.segments.sentence_of
        return {
            c
            for c in (clause - 1, clause, clause + 1)
            if 0 <= c < len(sentence_of) and sentence_of[c] == sentence_of[clause]
        }

    def in_sentence(self, kind: str, sentence: int) -> list[Match]:
        return [m for m in self.of(kind) if self.sentence(m) == sentence]

    def clause_tokens(self, clause: int) -> list[tuple[int, int]]:
        if clause not in self._token_cache:
            offset = self.segments.starts[clause]
            spans = tokens.cut(self.segments.clause_text(clause))
            self._token_cache[clause] = [(offset + a, offset + b) for a, b in spans]
        return self._token_cache[clause]


_UNMASKED = frozenset({"self_ref", "other_ref", "neutral_ref", "frame"})


def _drop_masked(matches: list[Match]) -> list[Match]:
    """Masks (hyperbole, idioms, other senses) hide the matches inside them: 笑死 hides 死."""
    masks = [m for m in matches if m.kind == "mask"]
    if not masks:
        return matches
    return [
        m
        for m in matches
        if m.kind != "mask"
        and (m.kind in _UNMASKED or not any(k.start <= m.start and m.end <= k.end for k in masks))
    ]


def _longest_first(matches: list[Match]) -> list[Match]:
    """Non-overlapping matches, longer ones winning (我妈 over 我)."""
    chosen: list[Match] = []
    for match in sorted(matches, key=lambda m: (-(m.end - m.start), m.start)):
        if not any(c.start < match.end and match.start < c.end for c in chosen):
            chosen.append(match)
    return sorted(chosen, key=lambda m: m.start)


_NUMBER_BEFORE = re.compile(r"(\d{2,}|[二三四五六七八九]十|[一两几]?百)多?\s*(片|粒|颗)?\s*$")


def _bought(msg: Message, finding: Finding) -> bool:
    """A means only bought (买了一把美工刀, 绳子买好了): not yet a plan, whatever the time."""
    if _BOUGHT.search(msg.text[finding.start : finding.end]):
        return True
    return any(p.kind == "ready" and _BOUGHT.search(msg.text[p.start : p.end]) for p in finding.parts)


def _counted_before(msg: Message, match: Match) -> bool:
    """A number of ten or more right before a medicine ("80 tylenol", 六十片药)."""
    return bool(_NUMBER_BEFORE.search(msg.text[max(0, match.start - 8) : match.start]))


def _text(msg: Message, match: Match) -> str:
    return msg.text[match.start : match.end]


def _near(a: Match, b: Match, gap: int) -> bool:
    """``a`` and ``b`` do not overlap and at most ``gap`` characters lie between them."""
    if a.end <= b.start:
        return b.start - a.end <= gap
    if b.end <= a.start:
        return a.start - b.end <= gap
    return False


# --------------------------------------------------------------------------- rules


def direct_cues(msg: Message) -> list[Finding]:
    """Lexicon phrases that are risk by themselves (我不想活了, kms, 割腕, 累赘 …).

    A phrase inside a longer, at least as strong one is left to it (自杀 inside 自杀过).
    """
    cues = [m for kind in RISK_KINDS for m in msg.of(kind) if m.level > 0]
    return [
        Finding(m.kind, m.level, [m])
        for m in cues
        if not any(
            o.start <= m.start and m.end <= o.end and o.end - o.start > m.end - m.start and o.level >= m.level
            for o in cues
        )
    ]


def desire_and_death(msg: Message) -> list[Finding]:
    """想/要/打算/want/gonna … followed in the same clause by a death word → ideation or intent."""
    found = []
    segments = msg.segments
    for death in msg.of("death"):
        clause = msg.clause(death)
        bare = death.end - death.start == 1  # a bare 死 pairs only with 想-like words, closely
        desires = msg.in_clause("desire", clause)
        if clause > 0 and not msg.text[segments.ends[clause - 1] : death.start].strip():
            # "都会想 跳下去": the wish ends the previous clause and only a space lies between
            desires += [d for d in msg.in_clause("desire", clause - 1) if d.end == segments.ends[clause - 1]]
        for desire in desires:
            gap = ENGLISH_DESIRE_GAP if msg.text[death.start].isascii() else DESIRE_GAP
            if desire.end > death.start or death.start - desire.end > gap:
                continue
            if bare and (death.start - desire.end > BARE_DEATH_GAP or desire.level != 1):
                continue
            if death.level < 2 and desire.level >= 2 and not _SLEEP.search(msg.text[death.start : death.end]):
                # 我就解脱了, 我要消失: an intent to disappear, elevated until a time or means
                kind, level = "intent", 1
            elif death.level < 2:
                kind, level = "passive_wish", 1
            else:
                kind, level = ("intent" if desire.level >= 2 else "ideation"), 2
            found.append(Finding(kind, level, [desire, death]))
            break
    return found


def method_questions(msg: Message) -> list[Finding]:
    """A question about how to die: question word + death word + (lethality word or method)."""
    found = []
    for question in msg.of("question"):
        clause = msg.clause(question)
        window = msg.window(clause)  # "哪个牌子的安眠药最容易买到 能吃死人的那种"
        in_window = [d for d in msg.of("death") if msg.clause(d) in window]
        deaths = [d for d in in_window if d.end - d.start > 1]
        bare = [d for d in in_window if d.end - d.start == 1]
        supports = [
            m for kind in ("lethal", "method", "injure") for m in msg.of(kind) if msg.clause(m) in window
        ]
        for death in deaths + bare:
            others = [s for s in supports if not (s.start < death.end and death.start < s.end)]
            if others:
                found.append(Finding("method_inquiry", 2, [question, death, *others[:1]]))
                break
            if question.level >= 2 and death.level >= 2:  # 用什么方法死, how to end it
                found.append(Finding("method_inquiry", 2, [question, death]))
                break
        else:
            killing = [m for m in msg.of("lethal") if m.level >= 2 and msg.clause(m) in window]
            taking = [m for kind in ("method", "consume") for m in msg.of(kind) if msg.clause(m) in window]
            if killing and taking:  # what household stuff can kill you if you drink it
                found.append(Finding("method_inquiry", 2, [question, killing[0], taking[0]]))
                continue
            places = [p for p in msg.of("place") if msg.clause(p) in window]
            unsafe = [
                m for m in msg.of("lethal") if msg.clause(m) in window and _UNFENCED.search(_text(msg, m))
            ]
            if places and unsafe:  # the highest bridge with no fence
                found.append(Finding("method_inquiry", 2, [question, places[0], unsafe[0]]))
                continue
            # where to get a lethal method in quantity (安眠药在网上哪里能买到大量的)
            lethal = [m for m in msg.of("method") if m.level >= 2 and msg.clause(m) in window]
            getting = [m for m in msg.of("acquire") if msg.clause(m) in window]
            amount = [m for m in msg.of("dose") if msg.clause(m) in window]
            if lethal and getting and (amount or msg.of("death")):
                found.append(Finding("method_inquiry", 2, [question, lethal[0], getting[0]]))
    return found


def injuries(msg: Message) -> list[Finding]:
    """Cutting/burning/hitting verb next to 自己, a body part or blood → self-harm."""
    found = []
    for verb in msg.of("injure"):
        for body in msg.in_clause("body", msg.clause(verb)):
            if _near(verb, body, PAIR_GAP // 2 + 2):
                found.append(Finding("self_harm", 2, [verb, body]))
                break
    return found


def ingestions(msg: Message) -> list[Finding]:
    """Swallowed / took + a lethal substance (or pills in a large dose) → act in progress."""
    found = []
    for verb in msg.of("ingest"):
        clause = msg.clause(verb)
        window = {clause, clause - 1}
        if any(d.start >= verb.end for d in msg.in_clause("dose", clause)):
            window.add(clause + 1)  # "吞了一整瓶 安眠药": the quantity, a space, then what
        if any(d.level >= 2 for d in msg.in_clause("dose", clause + 1)):
            window.add(clause + 1)  # "已经吃了 大概四十片": the count in the next clause
        if msg.in_clause("method", clause + 1) and msg.segments.is_short(clause + 1):
            window.add(clause + 1)  # "那一瓶都喝了 是农药": what it was, said right after
        reach = 32 if msg.text[verb.start].isascii() else 24  # took the whole pack of my mom's pills
        methods = [m for m in msg.of("method") if msg.clause(m) in window and _near(m, verb, reach)]
        doses = [d for d in msg.of("dose") if msg.clause(d) in window]
        strong = [m for m in methods if m.level >= 2]
        fronted = [m for m in methods if m.end <= verb.start or msg.text[m.start : m.end] in _PLURAL]
        # a state after taking something (困, 头晕, 想吐, sleepy) later in the message
        sentence = msg.sentence(verb)
        states = [s for s in msg.of("symptom") if s.start >= verb.end and msg.sentence(s) == sentence]
        counts = [d for d in doses if d.level >= 2 and (_near(verb, d, 12) or msg.clause(d) == clause + 1)]
        counts += [m for m in methods if _counted_before(msg, m)]  # i've taken 30 lorazepam
        if strong:
            found.append(Finding("act_in_progress", 3, [verb, strong[0]]))
        elif methods and doses:
            found.append(Finding("act_in_progress", 3, [verb, methods[0], doses[0]]))
        elif _SWALLOW.match(msg.text[verb.start : verb.end]) and [
            d for d in msg.of("dose") if msg.clause(d) in {clause, clause + 1} and _near(verb, d, 8)
        ]:
            # 吞完了 整瓶: swallowing a quantity is pills, whatever they are called
            found.append(Finding("act_in_progress", 3, [verb]))
        elif counts:
            # a count of pills needs no medicine name: 吃了一百片退黑素, 吃了三十多颗, 💊💊💊
            found.append(Finding("act_in_progress", 3, [verb, counts[0]]))
        elif states and [d for d in doses if _near(verb, d, 6)]:
            # 吃了好多 (药 misspelt or left out) then 头好晕 想睡
            finding = Finding("act_in_progress", 3, [verb, doses[0]])
            finding.extra.append((states[0], "act_in_progress"))
            found.append(finding)
        elif states and fronted:
            # the medicine named first (药已经吃下去了, 把药都吃了) or several pills, then a state:
            # "刚吃了药 有点困" (a usual dose) stays none
            finding = Finding("act_in_progress", 3, [verb, fronted[0]])
            finding.extra.append((states[0], "act_in_progress"))
            found.append(finding)
    return found


def means_ready(msg: Message) -> list[Finding]:
    """A method and a readiness word (准备好/攒了/在包里/ready) close together → means at hand.

    A count of pills named (五十多片, 💊💊💊, 60 of them) is a readiness of its own.
    """
    found = []
    for dose in msg.of("dose"):
        if dose.level >= 2 and not msg.of("ingest"):
            methods = [m for m in msg.of("method") if msg.clause(m) in msg.window(msg.clause(dose))]
            if methods or _PILL_COUNT.search(msg.text[dose.start : dose.end]):
                found.append(Finding("means", 1, [dose, *methods[:1]]))
                break
    for ready in msg.of("ready"):
        clause = msg.clause(ready)
        gap = 20 if msg.text[ready.start].isascii() else 10  # "the rope is already tied"
        for method in msg.of("method"):
            close = _near(method, ready, gap) or (method.start < ready.end and ready.start < method.end)
            if msg.clause(method) in {clause, clause - 1, clause + 1} and close:
                # a lethal method, a deliberate preparation or a large quantity (手里拿着药
                # 一百多片) is means at hand by itself; "一把水果刀" is a knife, not a dose
                swallowed = not _BLADES_AND_CORDS.search(msg.text[method.start : method.end])
                counted = swallowed and any(abs(msg.clause(d) - clause) <= 1 for d in msg.of("dose"))
                counted = counted or (swallowed and _counted_before(msg, method))
                level = 3 if ready.level >= 1 or counted else 2 if method.level >= 2 else 1
                bought = _BOUGHT.search(msg.text[ready.start : ready.end])
                if ready.level == 0 and not counted and (bought or method.level < 2):
                    level = 1  # "买了一把美工刀": bought, wrong only with another sign
                found.append(Finding("means", level, [method, ready]))
                break
    return found


def places(msg: Message) -> list[Finding]:
    """The writer (or the person reported on) is at a rooftop, bridge, platform, cliff … now."""
    found = []
    for present in msg.of("present"):
        if msg.text[present.start : present.end] in _ARRIVED:
            # 天台的门锁坏了 我已经上来了: the place named before, in the same sentence
            earlier = [p for p in msg.in_sentence("place", msg.sentence(present)) if p.end <= present.start]
            if earlier:
                found.append(
                    Finding("act_in_progress", 3 if earlier[0].level >= 2 else 0, [present, earlier[0]])
                )
            continue
        for place in msg.in_clause("place", msg.clause(present)):
            gap = 2 * PAIR_GAP if msg.text[place.start].isascii() else PAIR_GAP + 2  # the train bridge
            if present.end <= place.start and place.start - present.end <= gap:
                # on the tracks or a ledge is enough; a bridge or a rooftop needs another sign
                level = 3 if place.level >= 2 else 0
                found.append(Finding("act_in_progress", level, [present, place]))
                break
    return found


def research(msg: Message) -> list[Finding]:
    """Looking up how to die (查方法, 搜了怎么…, googling, looking up how to tie a noose).

    A search word with a death word or a lethal method after it in the clause or the next one,
    or with a "how"/方法 word there while death is talked about anywhere in the message.
    """
    found = []
    deaths = msg.of("death")
    for search in msg.of("research"):
        window = {c for c in msg.window(msg.clause(search)) if c >= msg.clause(search)}
        after = [
            m
            for kind in ("death", "method")
            for m in msg.of(kind)
            if msg.clause(m) in window and m.start >= search.end and m.level >= 2
        ]
        how = [q for q in msg.of("question") if msg.clause(q) in window and q.start >= search.end]
        lethal = [m for m in msg.of("lethal") if msg.clause(m) in window and m.start >= search.end]
        methods = [m for m in msg.of("method") if msg.clause(m) in window and m.start >= search.end]
        places = [p for p in msg.of("place") if msg.clause(p) in window and p.start >= search.end]
        if after:
            found.append(Finding("method_inquiry", 2, [search, after[0]]))
        elif places and lethal:  # 查了哪座桥最高 没有护栏的那种
            found.append(Finding("method_inquiry", 2, [search, places[0], lethal[0]]))
        elif how and methods and lethal:  # looked up how many of my pills it would take
            found.append(Finding("method_inquiry", 2, [search, methods[0], lethal[0]]))
        elif how and (deaths or msg.of("passive_wish") or msg.of("ideation")):
            found.append(Finding("method_inquiry", 2, [search, how[0]]))
    return found


def wished_means(msg: Message) -> list[Finding]:
    """A wish to take a dose of something (想吃一整瓶药, want to take all my pills) → ideation.

    Also a wish to jump (想跳) where a bridge, roof or river is named in the sentence.
    """
    found = []
    for desire in msg.of("desire"):
        clause = msg.clause(desire)
        for consume in msg.in_clause("consume", clause):
            if not 0 <= consume.start - desire.end <= 4:
                continue
            doses = [d for d in msg.in_clause("dose", clause) if 0 <= d.start - consume.end <= 6]
            methods = [m for m in msg.in_clause("method", clause) if 0 <= m.start - consume.end <= 14]
            if doses and methods:
                found.append(Finding("ideation", 2, [desire, consume, methods[0]]))
                break
        after = msg.text[desire.end : desire.end + 3]
        if "用" in after or "拿" in after:
            # 有想过用绳子 (但是不知道挂在哪里): a lethal means, or a question about it
            asked = [q for q in msg.of("question") if msg.clause(q) in msg.window(clause)]
            for method in msg.in_clause("method", clause):
                if 0 <= method.start - desire.end <= 8 and (method.level >= 2 or asked):
                    found.append(Finding("ideation", 2, [desire, method]))
                    break
        for jump in msg.in_clause("jump", clause):
            # a bridge, a roof or a river named, or a sign (别拦我, 今晚, 再见)
            signs = msg.in_sentence("place", msg.sentence(jump)) + msg.of("distress") + msg.of("timeframe")
            if 0 <= jump.start - desire.end <= BARE_DEATH_GAP and signs:
                kind = "intent" if desire.level >= 2 else "ideation"
                found.append(Finding(kind, 2, [desire, jump]))
                break
    return found


def timed_death(msg: Message) -> list[Finding]:
    """A death word and a time in one clause, without a wish word (今天晚上我會把這件事做個了結).

    Not a death already completed (他今天自杀了), which is news, not intent.
    """
    found = []
    for death in msg.of("death"):
        if death.level < 2 or death.end - death.start < 2:
            continue
        clause = msg.clause(death)
        after = msg.text[death.end : death.end + 2]
        finding = Finding("intent", 2, [death])
        timed = _timeframe_near(msg, finding) is not None  # its clause or a short neighbour
        if timed and not _COMPLETED.match(after.strip() or " ") and not msg.in_clause("frame", clause):
            found.append(finding)
    return found


def only_way(msg: Message) -> list[Finding]:
    """Death named as the only option left (suicide seems like the only option, 只有死才能)."""
    found = []
    for only in msg.of("only"):
        sentence = msg.sentence(only)
        deaths = [d for d in msg.in_sentence("death", sentence) if d.level >= 2 and d.end - d.start > 1]
        if deaths:
            found.append(Finding("ideation", 2, [deaths[0], only]))
    return found


def join_the_dead(msg: Message) -> list[Finding]:
    """Going to a relative who has died (今晚我就去找我爸了 他走了三年; go be with my mom in heaven)."""
    deceased = msg.of("deceased")
    if not deceased:
        return []
    for join in msg.of("join"):
        kin = [p for p in msg.of("other_ref") if 0 <= p.start - join.end <= 2]
        if kin:
            finding = Finding("ideation", 2, [join, kin[0]])
            finding.extra.append((deceased[0], "ideation"))
            return [finding]
    return []


def taking_effect(msg: Message) -> list[Finding]:
    """Something swallowed taking effect, with a state (药已经起效了 手脚开始麻了, pills are kicking in).

    The effect word (起效, 起作用, 发作, kicking in) needs a state after ingestion, a lethal method
    or a goodbye in the message; an ordinary medicine that helped (头不疼了, headache is gone) is not.
    """
    if msg.of("relief") or msg.of("frame") or msg.of("past"):
        return []
    for effect in msg.of("effect"):
        signs = msg.of("symptom") + [m for m in msg.of("method") if m.level >= 2]
        signs += msg.of("distress") + msg.of("farewell")  # 我先撤了 … 药已经起效了
        if signs:
            finding = Finding("act_in_progress", 3, [effect])
            finding.extra.append((signs[0], "act_in_progress"))
            return [finding]
    return []


def bleeding(msg: Message) -> list[Finding]:
    """Blood that will not stop or keeps spreading, with a cut, a body part or a state → in progress.

    地上的血越来越多 好困; there's so much blood, i can't feel my hands; 已经割了 好多血; 手上全是血
    刀还在旁边. Not a
    nosebleed, a period, a pet or a cut the writer says is fine now (relief words).
    """
    if msg.of("relief") or msg.of("frame") or msg.of("past"):
        return []
    for blood in msg.of("bleeding"):
        kinds = ("injure", "body", "symptom", "method")
        signs = [m for kind in kinds for m in msg.of(kind) if not _overlaps(m, blood)]
        if signs or blood.level >= 2:
            finding = Finding("act_in_progress", 3, [blood])
            if signs:
                finding.extra.append((signs[0], "self_harm"))
            return [finding]
    return []


def _overlaps(a: Match, b: Match) -> bool:
    return a.start < b.end and b.start < a.end


def converging_signs(msg: Message) -> list[Finding]:
    """Four or more different kinds of warning context in one message → act in progress.

    A method, a place, a readiness word, a state after swallowing, "just/already", someone
    unreachable, a weak sign (对不起, looking down), being somewhere, a time: none is risk alone, but
    four together describe a scene in progress even in words no rule pairs (on all labelled sets no
    ordinary message has more than three). Not when a frame (news, cooking …) is named.
    """
    if msg.of("frame") or msg.of("past"):
        return []  # a story (那年我在天台站过很久 … 现在路过还会心慌) is not a scene now
    signs = {kind: msg.of(kind)[0] for kind in _SCENE_KINDS if msg.of(kind)}
    if msg.of("timeframe"):
        signs["timeframe"] = msg.of("timeframe")[0]
    if len(signs) < 4:
        return []
    ordered = sorted(signs.items(), key=lambda item: item[1].start)
    finding = Finding("act_in_progress", 3, [ordered[0][1]])
    finding.extra.extend((match, _SCENE_EVIDENCE.get(kind, "act_in_progress")) for kind, match in ordered[1:])
    return [finding]


_SCENE_KINDS = ("method", "place", "distress", "symptom", "unreachable", "ready", "act_now", "present")
_SCENE_EVIDENCE = {
    "method": "means",
    "ready": "means",
    "distress": "farewell",
    "unreachable": "farewell",
    "act_now": "timeframe",
    "timeframe": "timeframe",
}


def means_unreachable(msg: Message) -> list[Finding]:
    """Someone with a method who has gone silent (locked in with a razor, not answering)."""
    unreachable = msg.of("unreachable")
    methods = msg.of("method")
    if unreachable and methods:
        return [Finding("means", 3, [methods[0], unreachable[0]])]
    return []


def resolved_plan(msg: Message) -> list[Finding]:
    """Readiness or resolve with a lethal place, or readiness affirmed, in one message.

    准备好了 明天一早去那座桥; 准备好了 今晚十点 不会再改变主意了. A plan: with a time, imminent.
    """
    if msg.of("frame"):
        return []
    places = msg.of("place")
    ready = [m for m in msg.of("ready") if m.level >= 1]
    affirm = msg.of("affirm")
    resolve = ready + affirm + [m for m in msg.of("distress") if msg.text[m.start : m.end] in _RESOLVE]
    if places and resolve and not msg.of("present"):
        return [Finding("plan", 2, [resolve[0], places[0]])]
    if ready and affirm:
        return [Finding("plan", 2, [ready[0], affirm[0]])]
    everything = [m for m in ready if m.level >= 2]
    tonight = [t for t in msg.of("timeframe") if msg.text[t.start : t.end] in _TONIGHT]
    if everything and tonight:  # tonight. i have everything i need.
        return [Finding("plan", 2, [everything[0]])]
    return []


_TONIGHT = frozenset({"今晚", "今天晚上", "今夜", "今晚就", "tonight", "tonite"}) | {
    "现在",
    "马上",
    "这就",
    "right now",
    "rn",
}
_WEAK_MARKERS = frozenset({"已经", "又"})
_NOW = frozenset(
    {"现在", "马上", "立刻", "立即", "此刻", "这就", "而家", "宜家", "即刻", "right now", "rn", "now"}
)
_ARRIVED = frozenset({"上来了", "爬上来了", "i'm up here"})
_RESOLVE = frozenset({"决定了", "下定决心", "想清楚了", "谂清楚咗", "i've decided", "this is it"})


def own_death(msg: Message) -> list[Finding]:
    """Safety net: the writer next to a death word (我是不是死了比较好, 如果我出车祸死了).

    Hyperbole is masked before this runs, so what is left is talk of one's own death: elevated.
    """
    found = []
    for death in msg.of("death"):
        clause = msg.clause(death)
        for person in msg.people:
            close = 0 <= death.start - person.end <= SELF_DEATH_GAP
            if person.kind == "self_ref" and close and msg.segments.clause(person.start) == clause:
                # the span is the death word alone, so 我不会自杀 is still negated as usual
                found.append(Finding("death_talk", 1, [death]))
                break
    return found


RULES = (
    direct_cues,
    desire_and_death,
    method_questions,
    injuries,
    ingestions,
    means_ready,
    places,
    research,
    wished_means,
    means_unreachable,
    resolved_plan,
    timed_death,
    only_way,
    join_the_dead,
    taking_effect,
    bleeding,
    converging_signs,
    own_death,
)


# --------------------------------------------------------------------------- filters


def is_negated(msg: Message, finding: Finding, risk_spans: Sequence[tuple[int, int]]) -> bool:
    """A true negator (不会/没有/从没/not/never …) earlier in the same clause, within a few words.

    Negators that are part of a risk phrase (不想活, don't want to live) never negate: that is
    negation as risk. A Chinese negator must be a word of its own in jieba's segmentation, so
    the 不 in 不知道 or the 没 in 没意思 is not one.
    """
    anchor = finding.start
    clause = msg.segments.clause(anchor)
    for negator in msg.in_clause("negator", clause):
        if negator.end > anchor or any(a < negator.end and negator.start < b for a, b in risk_spans):
            continue
        spans = msg.clause_tokens(clause)
        chinese = ord(msg.text[negator.start]) > 0x2E7F
        edges = {edge for span in spans for edge in span}
        if chinese and not (negator.start in edges and negator.end in edges):
            continue  # 不 inside 不知道 is not a negator (English ones are whole words already)
        between = [
            (a, b) for a, b in spans if a >= negator.end and b <= anchor and _WORDISH.search(msg.text[a:b])
        ]
        if chinese and any(msg.text[a:b] == "了" for a, b in between):
            continue  # 三天没合眼了今晚打算…: a 了 of its own closes what the negator governs
        if len(between) <= (NEGATION_TOKENS if chinese else NEGATION_WORDS):
            return True
    return False


def is_framed(msg: Message, finding: Finding) -> bool:
    """News, fiction, games, software, cooking, a helper's hypothetical: not the writer's risk.

    A frame covers its own clause, and the next clause of the sentence unless that clause has
    the writer as a subject again (看了部电影 里面主角自杀了 vs 看了部电影 然后我也想死).
    """
    clause = msg.segments.clause(finding.start)
    if finding.kind in _CONCRETE and _owned(msg, finding):
        return False  # 我的遗书在电脑桌面上: the writer's own note, whatever else the clause names
    if msg.in_clause("frame", clause):
        return True
    if clause == 0 or msg.segments.sentence_of[clause - 1] != msg.segments.sentence_of[clause]:
        return False
    if not msg.in_clause("frame", clause - 1):
        return False
    return not any(p.kind == "self_ref" and msg.segments.clause(p.start) == clause for p in msg.people)


_CONCRETE = frozenset({"plan", "farewell"})


def _owned(msg: Message, finding: Finding) -> bool:
    """The writer right before the finding (我的遗书, 我把药, i took)."""
    return any(
        p.kind == "self_ref" and 0 <= finding.start - p.end <= 2 for p in msg.people if p.end <= finding.start
    )


def departures(msg: Message, findings: list[Finding]) -> list[Finding]:
    """Thanks and things given away before an ordinary departure (搬家, 去外地工作, new job).

    Only when nothing but such goodbyes was found: with any other sign they still count.
    """
    goodbye = [f for f in findings if f.kind == "farewell" and f.level <= 2]
    others = [f for f in findings if f not in goodbye and f.level >= 1]
    if msg.of("departure") and goodbye and not others:
        return [f for f in findings if f not in goodbye]
    return findings


def when(msg: Message, finding: Finding) -> str | None:
    """The time marker of the sentence nearest to the finding: "act_now", "recent" or "past".

    已经 and 又 are weak: any other marker in the sentence wins (这周已经划了四次 is recent), and a
    又 right after another ingestion is "and also", not "again".
    """
    sentence = msg.segments.sentence(finding.start)
    markers = [m for kind in ("act_now", "recent", "past") for m in msg.in_sentence(kind, sentence)]
    strong = [m for m in markers if msg.text[m.start : m.end] not in _WEAK_MARKERS]
    if strong:
        markers = strong
    elif _also(msg, finding):
        markers = [m for m in markers if msg.text[m.start : m.end] != "又"]

    def distance(m: Match) -> tuple[int, int]:
        gap = max(m.start - finding.end, finding.start - m.end, 0)
        return gap, -(m.end - m.start)  # the nearest, then the longest (years ago over ago)

    return min(markers, key=distance).kind if markers else None


def apply_when(msg: Message, finding: Finding) -> None:
    """Recent self-harm or attempt (昨晚, 又, last night) → high; long ago (以前) → elevated."""
    marker = when(msg, finding)
    if finding.kind in WHEN_KINDS:
        cut_now = finding.kind == "self_harm" and marker is None and _perfective_now(msg, finding)
        if (marker == "act_now" and finding.kind == "self_harm") or cut_now:
            finding.level = 3  # 刚割了, just cut myself: an act in progress
        elif marker in {"act_now", "recent"}:
            finding.level = max(finding.level, 2)
        elif marker == "past":
            finding.level = 1
    elif finding.kind == "act_in_progress" and finding.parts[0].kind == "ingest":
        if marker == "recent" and _state_after(msg, finding):
            pass  # 又吃了一把药 现在想吐: the state now says it is still going on
        elif marker == "recent":  # 昨晚吃了一瓶药: a recent attempt, not one in progress
            finding.kind, finding.level = "past_attempt", 2
        elif marker == "past":
            finding.kind, finding.level = "past_attempt", 1
    elif (
        finding.kind == "act_in_progress" and finding.parts[0].kind == "act_in_progress" and marker == "past"
    ):
        finding.kind, finding.level = "past_attempt", 1  # two years ago i overdosed
    elif finding.kind in {"ideation", "intent"} and marker == "past":
        finding.level = min(finding.level, 1)  # 以前想过自杀: lifetime ideation


def _also(msg: Message, finding: Finding) -> bool:
    """The time marker nearest the finding is a 又 that follows another ingestion."""
    for marker in msg.of("recent"):
        inside = finding.start - 2 <= marker.start < finding.end
        also = inside and msg.text[marker.start : marker.end] == "又"
        if also and any(m.end <= marker.start for m in msg.of("ingest")):
            return True
    return False


def _perfective_now(msg: Message, finding: Finding) -> bool:
    """A cut described as done (割开了手腕) in a message that says now or today."""
    done = "了" in msg.text[finding.start : finding.end + 1]
    return done and bool(msg.of("timeframe"))


def _state_after(msg: Message, finding: Finding) -> bool:
    """A state after ingestion (困, 想吐, dizzy) or a "now" marker after the finding."""
    return any(m.start >= finding.end for kind in ("symptom", "act_now") for m in msg.of(kind))


def escalate(msg: Message, findings: list[Finding]) -> None:
    """Combine findings across the message (the "imminent" rules)."""
    thoughts = any(f.kind in THOUGHT_KINDS and f.level >= 1 for f in findings)
    strong_thoughts = any(f.kind in {"ideation", "intent"} and f.level >= 2 for f in findings)
    lethal = [m for m in msg.of("method") if m.level >= 2]
    risky = [f for f in findings if f.level >= 1 and f not in _place_findings(findings)]
    weak = msg.of("distress") + [m for m in msg.of("farewell") if m.level == 0]
    timeframes = msg.of("timeframe")
    unreachable = msg.of("unreachable")
    strong_ready = [m for m in msg.of("ready") if m.level >= 2]
    goodbyes = [f for f in findings if f.kind in {"farewell", "plan"} and f.level >= 1]
    if _distinct(goodbyes) >= 2:  # a goodbye and giving things away …
        for finding in goodbyes:
            finding.level = 3 if any(g.level >= 2 for g in goodbyes) else max(finding.level, 2)
    for finding in findings:
        if finding.level < 1:
            continue
        if finding.kind in TIMED_KINDS:
            near = _timeframe_near(msg, finding)
            if near is None and finding.kind in {"ideation", "intent"} and finding.level >= 2:
                near = _tonight_in_sentence(msg, finding)  # 我今晚喝了很多酒，…，我想开下去
            if near is not None:
                finding.level = 3
                finding.extra.append((near, "timeframe"))
        if finding.kind == "means" and timeframes and not _bought(msg, finding):
            # pills on the desk, waiting for them to sleep (bought today is not yet a plan)
            finding.level = 3
            finding.extra.append((timeframes[0], "timeframe"))
        if finding.kind in PREPARATION_KINDS and finding.level >= 2 and timeframes:
            finding.level = 3
            finding.extra.append((timeframes[0], "timeframe"))
        if finding.kind == "farewell" and finding.level >= 2 and thoughts:
            finding.level = 3
        if finding.kind == "farewell" and finding.level >= 1 and (strong_thoughts or lethal):
            # 大家再见了 这辈子就到这里吧; a goodbye posted with a photo of sleeping pills
            finding.level = 3
        if unreachable and finding.kind in THOUGHT_KINDS | {"farewell"}:
            finding.level = 3
            finding.extra.append((unreachable[0], "farewell"))
        if finding.kind in THOUGHT_KINDS and strong_ready:
            finding.level = 3
            finding.extra.append((strong_ready[0], "means"))
    jokes = msg.of("joke")
    for finding in findings:
        if any(j.start >= finding.end for j in jokes) and finding.kind in {"ideation", "harm_to_others"}:
            finding.level = min(finding.level, 1)  # 想掐死他 哈哈开玩笑的: flagged, not urgent
    affirm = msg.of("affirm")
    for finding in findings:
        if affirm and finding.kind in _AFFIRMABLE and 1 <= finding.level < 2:
            # 我是不是死了大家就都轻松了 我真的在考虑: a death wish the writer says is serious
            finding.level = 2
            finding.extra.append((affirm[0], "intent"))
    for finding in findings:
        if finding.kind == "means" and finding.level < 3 and _distinct(risky) > 1:
            finding.level = 3  # a knife in the bag matters when something else is wrong
    for finding in _place_findings(findings):
        if when(msg, finding) == "past":
            continue  # 那年我在天台站过很久: a past attempt, counted by its own phrase
        now = [
            t
            for t in msg.in_clause("timeframe", msg.segments.clause(finding.start))
            if msg.text[t.start : t.end] in _NOW  # 我在江边钓鱼今天钓了三条: a day is not "now"
        ]
        if risky or weak or now or unreachable or msg.of("method"):
            finding.level = 3
            if weak and not risky:
                finding.extra.append((weak[0], "farewell"))


_AFFIRMABLE = frozenset({"passive_wish", "death_talk", "burden"})


def _distinct(findings: list[Finding]) -> int:
    """How many findings do not overlap one another."""
    chosen: list[Finding] = []
    for finding in sorted(findings, key=lambda f: f.start):
        if not any(c.start < finding.end and finding.start < c.end for c in chosen):
            chosen.append(finding)
    return len(chosen)


def _place_findings(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.kind == "act_in_progress" and f.parts[0].kind == "present"]


def _tonight_in_sentence(msg: Message, finding: Finding) -> Match | None:
    sentence = msg.segments.sentence(finding.start)
    for timeframe in msg.in_sentence("timeframe", sentence):
        if msg.text[timeframe.start : timeframe.end] in _TONIGHT:
            return timeframe
    return None


def _timeframe_near(msg: Message, finding: Finding) -> Match | None:
    clause = msg.segments.clause(finding.start)
    for timeframe in msg.of("timeframe"):
        other = msg.clause(timeframe)
        if other == clause:
            return timeframe
        same_sentence = msg.segments.sentence(timeframe.start) == msg.segments.sentence(finding.start)
        if abs(other - clause) == 1 and same_sentence and msg.segments.is_short(other):
            return timeframe
    return None


def model_text(msg: Message) -> str:
    """What the learned model reads: the normalised text with what the lexicon knows to be
    hyperbole, an idiom or another sense (笑死, 秒杀, 砍一刀, kill the process) blanked out, so
    their 死 and 杀 do not count. Same length as the original, so spans still map onto it."""
    if not msg.masks:
        return msg.normalized
    chars = list(msg.normalized)
    for start, end in msg.masks:
        if msg.index is not None:
            start, end = msg.index[start], msg.index[end - 1] + 1
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def text_for_model(text: str, lexicon: Lexicon | None = None) -> str:
    """``model_text`` of a raw message (for training)."""
    return model_text(Message(text, lexicon or default_lexicon()))


# --------------------------------------------------------------------------- about


def subject_of(msg: Message, position: int) -> About | None:
    """The nearest person before ``position`` who is not an object (给我妹, told me)."""
    for start, end in msg.segments.quotes:
        if start < position < end:  # 她说“我想死”: the speaker is the subject
            position = start
    for person in reversed(msg.people):
        if person.start >= position:
            continue
        if person.kind == "neutral_ref":
            continue
        if person.start > 0 and msg.text[person.start - 1] in _OBJECT_MARKERS:
            continue
        return "self" if person.kind == "self_ref" else "other"
    return None


def decide_about(msg: Message, findings: list[Finding]) -> About:
    if findings:
        top = max(findings, key=lambda f: (f.level, -f.start))
        return subject_of(msg, top.start) or "self"
    first = next(
        (
            p
            for p in msg.people
            if p.kind != "neutral_ref" and not (p.start and msg.text[p.start - 1] in _OBJECT_MARKERS)
        ),
        None,
    )
    return "other" if first is not None and first.kind == "other_ref" else "self"


# --------------------------------------------------------------------------- entry point


def classify(
    text: str, lexicon: Lexicon | None = None, *, learn: bool = True, model: learned.Model | None = None
) -> Triage:
    """Triage one message. Never raises on text; an empty message is level "none".

    The rules decide first; the learned model (``learned.py``) may then raise the level, adding the
    stretches of text it went by as evidence of kind "learned" (not when the rules found a truly
    negated risk). An urgent reading by the rules in a message the model finds very unlike any
    urgent one is held at elevated, with the rules' evidence kept.
    ``learn=False`` gives the rules alone; ``model`` replaces the shipped model (for evaluation)."""
    msg = Message(text, lexicon or default_lexicon())
    candidates = [finding for rule in RULES for finding in rule(msg)]
    risk_spans = [(f.start, f.end) for f in candidates if f.level >= 1]
    negated = [f for f in candidates if f.level >= 1 and is_negated(msg, f, risk_spans)]
    findings = [f for f in candidates if not is_framed(msg, f) and f not in negated]
    findings = departures(msg, findings)
    for finding in findings:
        apply_when(msg, finding)
    escalate(msg, findings)
    findings = [f for f in findings if f.level >= 1]
    level = max((f.level for f in findings), default=0)
    evidence = _evidence(msg, findings)
    # A risk the rules read as truly negated (我从没想过自杀) is not for the model to overrule:
    # n-grams do not see negation.
    if not learn or negated:
        model = None
    elif model is None:
        model = learned.default_model()
    if model is not None:
        read = model_text(msg)
        probabilities = model.probabilities(read)
        guess = model.choose(probabilities)
        local = any(part.local for finding in findings for part in finding.parts)
        if level >= 2 and not local and model.doubts(probabilities):
            level = 1
        elif guess > level:
            level = guess
            spans = model.explain(read, guess)
            evidence = tuple(
                sorted(
                    evidence + tuple(Evidence(text[a:b], "learned", a, b) for a, b in spans),
                    key=lambda e: e.start,
                )
            )
    return Triage(LEVELS[level], decide_about(msg, findings), evidence)


def _evidence_item(msg: Message, start: int, end: int, kind: str) -> Evidence:
    """Evidence with its span in the original text (spaces removed by ``compact`` put back)."""
    if msg.index is not None:
        start, end = msg.index[start], msg.index[end - 1] + 1
    return Evidence(msg.original[start:end], kind, start, end)


def _evidence(msg: Message, findings: list[Finding]) -> tuple[Evidence, ...]:
    """One item per finding (its whole span) plus the context that raised it, deduplicated."""
    items: dict[tuple[int, int], Evidence] = {}
    ranked = sorted(findings, key=lambda f: (-f.level, f.start))
    spans: list[tuple[int, int, str]] = [(f.start, f.end, f.kind) for f in ranked]
    spans += [(m.start, m.end, kind) for f in ranked for m, kind in f.extra]
    for start, end, kind in spans:
        if any(a <= start and end <= b for a, b in items):
            continue  # already shown inside a stronger or wider item
        items[(start, end)] = _evidence_item(msg, start, end, kind)
    return tuple(sorted(items.values(), key=lambda e: e.start))
