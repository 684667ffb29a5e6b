"""Direct quotes with their cue and speaker.

A quote is the text between paired quotation marks — “…”, "…", «…», „…“, ‹…›, with quotes nested inside
(‘…’, „…“ in «…») — **including the marks**, within one paragraph, of at least :data:`MIN_WORDS` words:
scare quotes of one or two words (“road map”) are not quotes. Its cue is a word of the lexicon
(:data:`CUES`, which a project extends) next to it: after it (“…,” said Kim; “…,” the minister said)
or before it (Kim said: “…”; the parties agreed “…”), or "according to" opening its sentence. Its speaker
is the actor next to the cue: a name the other recommenders found, a new name ("Yonhap"), or a phrase
("the South Korean minister", "the diplomat") linked to the actor it refers to: the last one introduced
with that title, else the last person named before the quote; a pronoun speaker ("he said") is the last
person named. A quote split by its attribution (“…,” said Kim, “…”) is two quotes with one speaker and
one cue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .common import ACTOR, CUE, CUE_OF, QUOTE, SAID_BY, WORD, Proposal, ProposedRelation

SOURCE = "quotes"
MIN_WORDS = 3
QUOTE_SCORE, CUE_SCORE, NAMED_SPEAKER, PHRASE_SPEAKER, PRONOUN_SPEAKER = 0.9, 0.85, 0.85, 0.6, 0.55
MAX_SPEAKER_WORDS = 7
MAX_ATTRIBUTION_WORDS = 12  # “…,” the first secretary of the DPRK mission Kim In Chol said
MAX_TITLE_WORDS = 6  # “New Northern Policy”: a name in quotation marks, not a quote

CUES = ("said", "says", "say", "told", "tells", "added", "adds", "stated", "states", "according to", "noted",
        "notes", "confirmed", "confirms", "explained", "explains", "warned", "warns", "insisted", "insists",
        "argued", "argues", "claimed", "claims", "declared", "declares", "announced", "announces", "asked",
        "asks", "replied", "replies", "wrote", "writes", "stressed", "stresses", "emphasised", "emphasized",
        "commented", "remarked", "recalled", "acknowledged", "admitted", "urged", "agreed", "continued",
        "concluded", "suggested", "reported", "reiterated", "pointed out", "went on", "quoted")

PAIRS = {"“": "”", "„": "“", "«": "»", "‹": "›", '"': '"', "‘": "’", "‚": "‘"}
NESTED_ONLY = frozenset("‘‚")  # single marks open only inside a quote (elsewhere ‘ and ’ are apostrophes)
MARKS = frozenset("“”„«»‹›\"‘’‚")

PRONOUNS = frozenset("he she they i we it him her them".split())
DETERMINERS = frozenset("the a an his her its their our this that these those".split())
PERSON_HEADS = frozenset("""
minister president diplomat secretary spokesman spokeswoman spokesperson ambassador envoy official leader
chancellor premier senator governor mayor king queen prince chairman chairwoman chair head chief director
deputy general commander officer representative analyst expert source sources diplomats officials
""".split())
ORGANISATION_HEADS = frozenset("""
ministry agency government office department statement committee council party parties parliament
administration embassy mission newspaper paper broadcaster channel company union commission kremlin
""".split())
CUE_WORDS = frozenset(word for cue in CUES for word in cue.split())
STOP_WORDS = frozenset("""
that which who whom whose while when as in on at during after before to of for with from by and but or
adding saying because since so than then
""".split())


@dataclass(slots=True)
class Attribution:
    cue: tuple[int, int]
    speaker: tuple[int, int] | None  # the words naming the speaker, if any
    after: bool  # the attribution follows the quote


def find_quotes(text: str) -> list[tuple[int, int]]:
    """Every outermost pair of quotation marks in ``text``, marks included, each within a paragraph."""
    found = []
    stack: list[tuple[str, int]] = []
    for index, char in enumerate(text):
        if char == "\n":
            stack.clear()
            continue
        if char not in MARKS:
            continue
        if stack and char == PAIRS[stack[-1][0]] and not _apostrophe(text, index):
            opener, begin = stack.pop()
            if not stack:
                found.append((begin, index + 1))
            continue
        if char in PAIRS and _may_open(text, index, char, stack):
            stack.append((char, index))
    return found


def _apostrophe(text: str, index: int) -> bool:
    return text[index] in "’'" and 0 < index < len(text) - 1 and text[index - 1].isalnum() \
        and text[index + 1].isalnum()


def _may_open(text: str, index: int, char: str, stack: list) -> bool:
    if char in NESTED_ONLY and not stack:
        return False
    if char in ('"', "‘", "‚") or (char == "“" and stack):
        before = text[index - 1] if index else " "
        after = text[index + 1] if index + 1 < len(text) else " "
        return (before.isspace() or before in "([{–—-:,;/" or before in MARKS) and not after.isspace()
    return True


def is_quote(marked: str) -> bool:
    """Whether text between quotation marks is a quote: three words or more, and not a title or name
    (every word capitalised, no sentence punctuation: “New Northern Policy”)."""
    words = WORD.findall(marked)
    if len(words) < MIN_WORDS:
        return False
    small = {"of", "the", "and", "for", "in", "on", "a", "to", "de", "la"}
    titled = all(word[0].isupper() or word in small for word in words) and words[0][0].isupper()
    return not (titled and len(words) <= MAX_TITLE_WORDS and not any(c in marked for c in ".,;:!?"))


class QuoteFinder:
    """Finds quotes, cues and speakers in texts; ``cues`` extend the built-in lexicon."""

    def __init__(self, cues: Iterable[str] = ()):
        words = sorted({" ".join(c.lower().split()) for c in (*CUES, *cues) if c.strip()},
                       key=lambda c: -len(c))
        self.cues: dict[str, list[tuple[str, ...]]] = {}  # first word -> cues, longest first
        for cue in words:
            self.cues.setdefault(cue.split()[0], []).append(tuple(cue.split()))

    def find(self, text: str, mentions: Iterable[Proposal] = ()) -> tuple[list[Proposal], list[ProposedRelation]]:
        """Quote, Cue and speaker Actor proposals, and the said_by and cue links between them.
        ``mentions`` are the Actor proposals found so far (knowledge base, variants)."""
        quotes = find_quotes(text)
        mentions = sorted((m for m in mentions if m.label == ACTOR), key=lambda m: m.start)
        inside = [(s, e) for s, e in quotes]
        outside = [m for m in mentions if not any(s <= m.start < e for s, e in inside)]
        proposals: list[Proposal] = []
        relations: list[ProposedRelation] = []
        previous: tuple[tuple[int, int], Attribution | None] | None = None
        for number, (start, end) in enumerate(quotes):
            next_start = quotes[number + 1][0] if number + 1 < len(quotes) else len(text)
            prev_end = quotes[number - 1][1] if number else 0
            continued = previous is not None and previous[1] is not None and previous[1].after \
                and _only_attribution(text, previous[0][1], start, previous[1])
            if not continued and not is_quote(text[start:end]):
                previous = ((start, end), None)
                continue
            attribution = previous[1] if continued else (
                self._after(text, end, next_start) or self._before(text, start, prev_end))
            quote = Proposal(QUOTE, start, end, QUOTE_SCORE, SOURCE, attributes={"type": "direct"})
            proposals.append(quote)
            previous = ((start, end), attribution)
            if attribution is None:
                continue
            cue = Proposal(CUE, *attribution.cue, CUE_SCORE, SOURCE)
            proposals.append(cue)
            relations.append(ProposedRelation(CUE_OF, quote.key, cue.key, CUE_SCORE))
            speaker = self._speaker(text, attribution, start, mentions, outside, proposals)
            if speaker is not None:
                relations.append(ProposedRelation(SAID_BY, quote.key, speaker.key, speaker.score))
        return _unique(proposals), relations

    # ---- cues

    def _cue_at(self, words: list[tuple[str, int, int]], index: int) -> int:
        """How many words of ``words`` from ``index`` make a cue (0: none)."""
        for cue in self.cues.get(words[index][0].lower(), ()):
            size = len(cue)
            if index + size <= len(words) and all(words[index + k][0].lower() == cue[k] for k in range(size)):
                return size
        return 0

    def _after(self, text: str, end: int, limit: int) -> Attribution | None:
        """“…,” said Kim / “…,” the minister said: a cue within the clause after the quote."""
        window = text[end:limit]
        if text[end - 2:end - 1] == "." and not re.match(r"[\s,]*[a-z]", window):
            return None  # the quote ended its sentence: what follows is a new one
        stop = re.search(r"[.!?;\n]|[“”„«»\"]", window)
        window = window[:stop.start()] if stop else window
        words = _words(window, end)
        if not words or re.search(r"[^\s,:–—-]", text[end:words[0][1]]):
            return None
        for index in range(min(len(words), MAX_ATTRIBUTION_WORDS)):
            if index and _punctuated(text, words[index - 1][2], words[index][1]):
                return None
            size = self._cue_at(words, index)
            if not size:
                continue
            cue = (words[index][1], words[index + size - 1][2])
            if index:
                return Attribution(cue, (words[0][1], words[index - 1][2]), after=True)
            return Attribution(cue, _phrase_after(text, words[index + size:]), after=True)
        return None

    def _before(self, text: str, start: int, limit: int) -> Attribution | None:
        """Kim said: “…” / the parties agreed “…” / According to the diplomat, … “…”."""
        head = text[limit:start]
        boundary = max((m.end() for m in re.finditer(r"[.!?]\s+|\n", head)), default=0)
        sentence_start = limit + boundary
        words = _words(text[sentence_start:start], sentence_start)
        if not words:
            return None
        gap = text[words[-1][2]:start]
        if re.fullmatch(r"\s*[:,]?\s*", gap):
            tail = len(words) - 1
            if words[tail][0].lower() == "that" and tail:
                tail -= 1
            for size in range(3, 0, -1):
                begin = tail - size + 1
                if begin >= 0 and self._cue_at(words, begin) == size:
                    cue = (words[begin][1], words[tail][2])
                    return Attribution(cue, _phrase_before(text, words[:begin]), after=False)
        if len(words) >= 3 and words[0][0].lower() == "according" and words[1][0].lower() == "to":
            comma = text.find(",", words[1][2], start)
            if comma > 0:
                return Attribution((words[0][1], words[1][2]), _trim(text, words[1][2], comma), after=False)
        return None

    # ---- speakers

    def _speaker(self, text: str, attribution: Attribution, quote_start: int, mentions: list[Proposal],
                 outside: list[Proposal], proposals: list[Proposal]) -> Proposal | None:
        if attribution.speaker is None:
            return None
        start, end = attribution.speaker
        for mention in mentions:
            if start <= mention.start and mention.end <= end:
                return mention
        phrase = text[start:end]
        words = phrase.split()
        earlier = [m for m in outside if m.end <= quote_start]
        if len(words) == 1 and words[0].lower() in PRONOUNS:
            people = [m for m in earlier if (m.attributes or {}).get("kind", "person") == "person"]
            return people[-1] if people else None
        capitals = _trailing_name(text, start, end)
        if capitals is not None:
            speaker = Proposal(ACTOR, *capitals, PHRASE_SPEAKER, SOURCE)
            proposals.append(speaker)
            return speaker
        head = re.sub(r"[^\w]", "", words[-1].lower()) if words else ""
        if not words or words[0].lower() not in DETERMINERS:
            return None
        if head in ORGANISATION_HEADS:
            speaker = Proposal(ACTOR, start, end, PHRASE_SPEAKER, SOURCE, attributes={"kind": "organisation"})
        else:
            referent = _referent(text, head, earlier) if head in PERSON_HEADS else None
            speaker = Proposal(ACTOR, start, end, PHRASE_SPEAKER, SOURCE,
                               entity=referent.entity if referent else None,
                               attributes={"kind": "person"} if referent is None else dict(referent.attributes))
        proposals.append(speaker)
        return speaker


def _words(window: str, offset: int) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start() + offset, m.end() + offset) for m in WORD.finditer(window)]


def _punctuated(text: str, end: int, start: int) -> bool:
    return bool(re.search(r"[^\s-]", text[end:start]))


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def _phrase_after(text: str, words: list[tuple[str, int, int]]) -> tuple[int, int] | None:
    """The speaker after a cue: words up to punctuation or a stop word."""
    taken = []
    for index, (word, start, end) in enumerate(words[:MAX_SPEAKER_WORDS]):
        if index and _punctuated(text, taken[-1][2], start):
            break
        if word in STOP_WORDS and taken:
            break
        taken.append((word, start, end))
    return (taken[0][1], taken[-1][2]) if taken else None


def _phrase_before(text: str, words: list[tuple[str, int, int]]) -> tuple[int, int] | None:
    """The speaker before a cue: words back to punctuation or a stop word."""
    taken: list[tuple[str, int, int]] = []
    for word, start, end in reversed(words[-MAX_SPEAKER_WORDS:]):
        if taken and _punctuated(text, end, taken[-1][1]):
            break
        if word in STOP_WORDS or (taken and word.lower() in CUE_WORDS):
            break
        taken.append((word, start, end))
    return (taken[-1][1], taken[0][2]) if taken else None


def _trailing_name(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The capitalised words closing a phrase ("the news agency Yonhap" → "Yonhap"), not its first word."""
    words = _words(text[start:end], start)
    names = []
    for word, begin, finish in reversed(words):
        if not word[0].isupper() or word.lower() in DETERMINERS:
            break
        names.append((begin, finish))
    if not names or len(names) == len(words) and len(words) > 1 and words[0][0].lower() in DETERMINERS:
        return None
    if len(names) == len(words) and len(words) == 1 and words[0][0].lower() in PRONOUNS:
        return None
    first = names[-1][0]
    if first == start and words[0][0].lower() in DETERMINERS:
        return None
    if names and all(text[b:f].lower() in PERSON_HEADS | ORGANISATION_HEADS for b, f in names):
        return None
    return first, names[0][1]


def _referent(text: str, head: str, earlier: list[Proposal]) -> Proposal | None:
    """The actor a title refers to: the last one introduced with that title, else the last person named."""
    for mention in reversed(earlier):
        before = [word.lower() for word in WORD.findall(text[max(0, mention.start - 60):mention.start])[-3:]]
        if head in before:
            return mention
    people = [m for m in earlier if (m.attributes or {}).get("kind", "person") == "person"]
    return people[-1] if people else None


def _only_attribution(text: str, end: int, start: int, attribution: Attribution) -> bool:
    """Whether only the attribution (with a few words more: "he wrote on Telegram,") and a comma stand
    between two quotes: a split quote."""
    rest = text[max(attribution.cue[1], (attribution.speaker or (0, 0))[1]):start]
    return attribution.cue[0] >= end and re.fullmatch(r"(?:[^.!?;\n“”\"«»„]{0,40}[,:])?\s*", rest) is not None


def _unique(proposals: list[Proposal]) -> list[Proposal]:
    seen = {}
    for proposal in proposals:
        seen.setdefault(proposal.key, proposal)
    return list(seen.values())
