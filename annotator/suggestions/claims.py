"""Claims: sentences with check-worthy signals — figures, money, percentages, comparisons, records,
causal statements — suggested as candidate claims, scored by how many kinds of signal they carry.
A sentence needs a figure (a number, an amount, a percentage) or two other kinds of signal. Dates and
ordinals alone are no figures. (A classifier trained on the project's own gold is for later.)"""

from __future__ import annotations

import re

from .common import CLAIM, Proposal, clamp

SOURCE = "claim-signals"
BASE, PER_SIGNAL, MAX_SCORE = 0.3, 0.15, 0.85
MIN_WORDS, MAX_LENGTH = 6, 600

SIGNALS = {
    "figure": re.compile(r"(?<![\w.])\d[\d,.]*(?!\d)(?!\s*(?:st|nd|rd|th)\b)|\b(?:million|billion|trillion|"
                         r"thousand|hundred|dozen|half|third|quarter|twice|double|triple)\b", re.I),
    "money": re.compile(r"[$€£¥₽₩]|\b(?:dollars?|euros?|pounds?|roubles?|rubles?|won|yen|usd|eur)\b", re.I),
    "percent": re.compile(r"%|\bper ?cent\b|\bpercentage\b", re.I),
    "comparison": re.compile(r"\b(?:more|less|fewer|higher|lower|larger|smaller|bigger|greater|than|"
                             r"increase[ds]?|decrease[ds]?|rose|fell|doubled|halved|grew|dropped|"
                             r"\w+est)\b", re.I),
    "record": re.compile(r"\b(?:record|first|last|ever|never|unprecedented|all-time|largest|biggest|highest|"
                         r"lowest|only)\b", re.I),
    "cause": re.compile(r"\b(?:because|due to|caused|causes|led to|leads to|result(?:ed)? (?:in|of)|"
                        r"as a result|therefore|thanks to|responsible for)\b", re.I),
}
YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[”\"»’]*|$)")
ABBREVIATION = re.compile(r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|St|No|Gen|Sen|Gov|Prof|Jr|Sr|vs|etc))$")


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence places in ``text`` (a full stop after an initial or an abbreviation ends none)."""
    places: list[tuple[int, int]] = []
    start = None
    for match in SENTENCE.finditer(text):
        begin, end = match.span()
        if start is None:
            start = begin
        body = text[start:end].rstrip(".!?”\"»’")
        following = text[end:end + 2]
        if end < len(text) and text[end] != "\n" and (ABBREVIATION.search(body) or following[1:2].islower()
                                                    or following[:1].isdigit()):
            continue  # "U.S. officials", "3.5 billion", "Mr. Kim": the sentence goes on
        while start < end and text[start].isspace():
            start += 1
        if end > start:
            places.append((start, end))
        start = None
    return places


def signals(sentence: str) -> set[str]:
    found = set()
    for name, pattern in SIGNALS.items():
        if name == "figure":
            if any(not YEAR.fullmatch(m.group()) for m in pattern.finditer(sentence)):
                found.add(name)
        elif pattern.search(sentence):
            found.add(name)
    return found


def find(text: str) -> list[Proposal]:
    proposals = []
    for start, end in sentences(text):
        sentence = text[start:end]
        if len(sentence) > MAX_LENGTH or len(sentence.split()) < MIN_WORDS:
            continue
        found = signals(sentence)
        if not ({"figure", "money", "percent"} & found) and len(found) < 2:
            continue
        score = min(MAX_SCORE, BASE + PER_SIGNAL * len(found))
        proposals.append(Proposal(CLAIM, start, end, clamp(score), SOURCE, attributes={"checkworthy": True},))
    return proposals
