"""Explainable suicide-risk triage of what a seeker writes.

Pure module (no Django). ``classify(text)`` returns a level (none < elevated < high < imminent),
whom the risk is about (the writer or someone else) and the evidence: each phrase that counted,
its kind and its span in the original text. How it works is described in docs/risk-triage.md.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

Level = Literal["none", "elevated", "high", "imminent"]
About = Literal["self", "other"]
LEVELS: tuple[Level, ...] = ("none", "elevated", "high", "imminent")

LEXICON_DIR = Path(__file__).with_name("lexicon")

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


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    kind: str
    level: int


class Lexicon:
    """Phrases with kinds and levels, indexed for a fast left-to-right scan."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        merged: dict[tuple[str, str, bool], Entry] = {}
        for entry in entries:  # a later file overrides the level of an earlier one
            merged[(entry.phrase, entry.kind, entry.pattern)] = entry
        self.entries: tuple[Entry, ...] = tuple(merged.values())
        self._short: dict[str, list[Entry]] = {}
        self._long: dict[str, list[Entry]] = {}
        self._patterns: list[tuple[re.Pattern[str], Entry]] = []
        for entry in self.entries:
            if entry.pattern:
                self._patterns.append((re.compile(entry.phrase), entry))
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
                    found.append(Match(i, i + 1, entry.kind, entry.level))
            for entry in long_.get(text[i : i + 2], ()):
                end = i + len(entry.phrase)
                if text.startswith(entry.phrase, i) and _bounded(text, i, end, entry.phrase):
                    found.append(Match(i, end, entry.kind, entry.level))
        for regex, entry in self._patterns:
            for hit in regex.finditer(text):
                if hit.end() > hit.start():
                    found.append(Match(hit.start(), hit.end(), entry.kind, entry.level))
        return found


def _bounded(text: str, start: int, end: int, phrase: str) -> bool:
    """English words must not match inside longer words ("die" in "diet")."""
    if _ASCII_WORD.match(phrase[0]) and start > 0 and _ASCII_WORD.match(text[start - 1]):
        return False
    return not (_ASCII_WORD.match(phrase[-1]) and end < len(text) and _ASCII_WORD.match(text[end]))


def read_entries(path: Path | str) -> list[Entry]:
    """Read one lexicon file: ``phrase<TAB>kind<TAB>level[<TAB>note]``; ``#`` starts a comment."""
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
            entries.append(Entry(pattern, kind, int(level_text), pattern=True))
        elif phrase:
            entries.extend(Entry(variant, kind, int(level_text)) for variant in _variants(phrase))
    return entries


def _variants(phrase: str) -> set[str]:
    """The phrase as the scanner sees it, plus the spelling without apostrophes (dont, im)."""
    base = normalize(phrase)
    return {base, base.replace("'", "")} - {""}


def load_lexicon(extra_paths: Iterable[Path | str] = ()) -> Lexicon:
    """The curated lexicon (every ``*.tsv`` in ``lexicon/``) merged with a hotline's own files."""
    entries: list[Entry] = []
    for path in [*sorted(LEXICON_DIR.glob("*.tsv")), *extra_paths]:
        entries.extend(read_entries(path))
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
    return lowered


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
        self.text = normalize(text)
        self.segments = Segments(self.text)
        matches = _drop_masked(lexicon.scan(self.text))
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
            if desire.end > death.start or death.start - desire.end > DESIRE_GAP:
                continue
            if bare and (death.start - desire.end > BARE_DEATH_GAP or desire.level != 1):
                continue
            if death.level < 2:
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
        deaths = [d for d in msg.in_clause("death", clause) if d.end - d.start > 1]
        bare = [d for d in msg.in_clause("death", clause) if d.end - d.start == 1]
        supports = msg.in_clause("lethal", clause) + msg.in_clause("method", clause)
        for death in deaths + bare:
            others = [s for s in supports if not (s.start < death.end and death.start < s.end)]
            if others:
                found.append(Finding("method_inquiry", 2, [question, death, *others[:1]]))
                break
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
        methods = [m for m in msg.of("method") if msg.clause(m) in window and _near(m, verb, 24)]
        doses = [d for d in msg.of("dose") if msg.clause(d) in window]
        strong = [m for m in methods if m.level >= 2]
        fronted = [m for m in methods if m.end <= verb.start or msg.text[m.start : m.end] in _PLURAL]
        # a state after taking something (困, 头晕, 想吐, sleepy) later in the message
        sentence = msg.sentence(verb)
        states = [s for s in msg.of("symptom") if s.start >= verb.end and msg.sentence(s) == sentence]
        if strong:
            found.append(Finding("act_in_progress", 3, [verb, strong[0]]))
        elif methods and doses:
            found.append(Finding("act_in_progress", 3, [verb, methods[0], doses[0]]))
        elif states and fronted:
            # the medicine named first (药已经吃下去了, 把药都吃了) or several pills, then a state:
            # "刚吃了药 有点困" (a usual dose) stays none
            finding = Finding("act_in_progress", 3, [verb, fronted[0]])
            finding.extra.append((states[0], "act_in_progress"))
            found.append(finding)
    return found


def means_ready(msg: Message) -> list[Finding]:
    """A method and a readiness word (准备好/攒了/在包里/ready) close together → means at hand."""
    found = []
    for ready in msg.of("ready"):
        clause = msg.clause(ready)
        for method in msg.of("method"):
            close = _near(method, ready, 10) or (method.start < ready.end and ready.start < method.end)
            if msg.clause(method) in {clause, clause - 1, clause + 1} and close:
                # a lethal method, a deliberate preparation or a large quantity (手里拿着药
                # 一百多片) is means at hand by itself
                counted = any(abs(msg.clause(d) - clause) <= 1 for d in msg.of("dose"))
                level = 3 if method.level >= 2 or ready.level >= 1 or counted else 1
                found.append(Finding("means", level, [method, ready]))
                break
    return found


def places(msg: Message) -> list[Finding]:
    """The writer (or the person reported on) is at a rooftop, bridge, platform, cliff … now."""
    found = []
    for present in msg.of("present"):
        for place in msg.in_clause("place", msg.clause(present)):
            if present.end <= place.start and place.start - present.end <= PAIR_GAP + 2:
                # on the tracks or a ledge is enough; a bridge or a rooftop needs another sign
                level = 3 if place.level >= 2 else 0
                found.append(Finding("act_in_progress", level, [present, place]))
                break
    return found


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
        if len(between) <= (NEGATION_TOKENS if chinese else NEGATION_WORDS):
            return True
    return False


def is_framed(msg: Message, finding: Finding) -> bool:
    """News, fiction, games, software, cooking, a helper's hypothetical: not the writer's risk.

    A frame covers its own clause, and the next clause of the sentence unless that clause has
    the writer as a subject again (看了部电影 里面主角自杀了 vs 看了部电影 然后我也想死).
    """
    clause = msg.segments.clause(finding.start)
    if msg.in_clause("frame", clause):
        return True
    if clause == 0 or msg.segments.sentence_of[clause - 1] != msg.segments.sentence_of[clause]:
        return False
    if not msg.in_clause("frame", clause - 1):
        return False
    return not any(p.kind == "self_ref" and msg.segments.clause(p.start) == clause for p in msg.people)


def when(msg: Message, finding: Finding) -> str | None:
    """The time marker of the sentence nearest to the finding: "act_now", "recent" or "past"."""
    sentence = msg.segments.sentence(finding.start)
    markers = [m for kind in ("act_now", "recent", "past") for m in msg.in_sentence(kind, sentence)]

    def distance(m: Match) -> tuple[int, int]:
        gap = max(m.start - finding.end, finding.start - m.end, 0)
        return gap, -(m.end - m.start)  # the nearest, then the longest (years ago over ago)

    return min(markers, key=distance).kind if markers else None


def apply_when(msg: Message, finding: Finding) -> None:
    """Recent self-harm or attempt (昨晚, 又, last night) → high; long ago (以前) → elevated."""
    marker = when(msg, finding)
    if finding.kind in WHEN_KINDS:
        if marker == "act_now" and finding.kind == "self_harm":
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


def _state_after(msg: Message, finding: Finding) -> bool:
    """A state after ingestion (困, 想吐, dizzy) or a "now" marker after the finding."""
    return any(m.start >= finding.end for kind in ("symptom", "act_now") for m in msg.of(kind))


def escalate(msg: Message, findings: list[Finding]) -> None:
    """Combine findings across the message (the "imminent" rules)."""
    thoughts = any(f.kind in THOUGHT_KINDS and f.level >= 1 for f in findings)
    risky = [f for f in findings if f.level >= 1 and f not in _place_findings(findings)]
    weak = msg.of("distress") + [m for m in msg.of("farewell") if m.level == 0]
    timeframes = msg.of("timeframe")
    unreachable = msg.of("unreachable")
    strong_ready = [m for m in msg.of("ready") if m.level >= 2]
    goodbyes = [f for f in findings if f.kind in {"farewell", "plan"} and f.level >= 1]
    if len({(f.start, f.end) for f in goodbyes}) >= 2:  # a goodbye and giving things away …
        for finding in goodbyes:
            finding.level = 3 if any(g.level >= 2 for g in goodbyes) else max(finding.level, 2)
    for finding in findings:
        if finding.level < 1:
            continue
        if finding.kind in TIMED_KINDS:
            near = _timeframe_near(msg, finding)
            if near is not None:
                finding.level = 3
                finding.extra.append((near, "timeframe"))
        if finding.kind in PREPARATION_KINDS and finding.level >= 2 and timeframes:
            finding.level = 3
            finding.extra.append((timeframes[0], "timeframe"))
        if finding.kind == "farewell" and finding.level >= 2 and thoughts:
            finding.level = 3
        if unreachable and finding.kind in THOUGHT_KINDS | {"farewell"}:
            finding.level = 3
            finding.extra.append((unreachable[0], "farewell"))
        if finding.kind in THOUGHT_KINDS and strong_ready:
            finding.level = 3
            finding.extra.append((strong_ready[0], "means"))
    for finding in findings:
        if finding.kind == "means" and finding.level < 3 and len(risky) > 1:
            finding.level = 3  # a knife in the bag matters when something else is wrong
    for finding in _place_findings(findings):
        if when(msg, finding) == "past":
            continue  # 那年我在天台站过很久: a past attempt, counted by its own phrase
        now = [t for t in msg.in_clause("timeframe", msg.segments.clause(finding.start))]
        if risky or weak or now or unreachable:
            finding.level = 3
            if weak and not risky:
                finding.extra.append((weak[0], "farewell"))


def _place_findings(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.kind == "act_in_progress" and f.parts[0].kind == "present"]


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


def classify(text: str, lexicon: Lexicon | None = None) -> Triage:
    """Triage one message. Never raises on text; an empty message is level "none"."""
    msg = Message(text, lexicon or default_lexicon())
    candidates = [finding for rule in RULES for finding in rule(msg)]
    risk_spans = [(f.start, f.end) for f in candidates if f.level >= 1]
    findings = [f for f in candidates if not is_framed(msg, f) and not is_negated(msg, f, risk_spans)]
    for finding in findings:
        apply_when(msg, finding)
    escalate(msg, findings)
    findings = [f for f in findings if f.level >= 1]
    level = max((f.level for f in findings), default=0)
    return Triage(LEVELS[level], decide_about(msg, findings), _evidence(msg, findings))


def _evidence(msg: Message, findings: list[Finding]) -> tuple[Evidence, ...]:
    """One item per finding (its whole span) plus the context that raised it, deduplicated."""
    items: dict[tuple[int, int], Evidence] = {}
    ranked = sorted(findings, key=lambda f: (-f.level, f.start))
    spans: list[tuple[int, int, str]] = [(f.start, f.end, f.kind) for f in ranked]
    spans += [(m.start, m.end, kind) for f in ranked for m, kind in f.extra]
    for start, end, kind in spans:
        if any(a <= start and end <= b for a, b in items):
            continue  # already shown inside a stronger or wider item
        items[(start, end)] = Evidence(msg.original[start:end], kind, start, end)
    return tuple(sorted(items.values(), key=lambda e: e.start))
