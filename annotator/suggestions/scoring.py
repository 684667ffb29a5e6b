"""How good the suggestions are: precision, recall and F1 per recommender and label, with exact and
overlapping places, and the share of quotes whose suggested speaker is right — counted over any number
of articles (:class:`Scorer`). Plain Python over plain data.

A suggestion is right (exact) when a reference span of its label has its place, (overlap) when one
overlaps it. Recall is per recommender over every reference span of the label; the row ``all`` counts
the layer as a whole (each place once). A quote's speaker is right when the quote is suggested at its
exact place and its suggested said_by target overlaps the reference speaker or links the same entity.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

ALL = "all"


@dataclass(slots=True)
class Counts:
    suggested: int = 0
    reference: int = 0
    exact: int = 0  # suggestions with a reference span at their place
    overlap: int = 0  # suggestions overlapping a reference span
    found_exact: int = 0  # reference spans suggested at their place
    found_overlap: int = 0  # reference spans a suggestion overlaps

    def figures(self) -> dict:
        def ratio(a: int, b: int) -> float | None:
            return round(a / b, 4) if b else None

        def f1(p: float | None, r: float | None) -> float | None:
            return round(2 * p * r / (p + r), 4) if p and r else (0.0 if p is not None and r is not None else None)

        p_exact, r_exact = ratio(self.exact, self.suggested), ratio(self.found_exact, self.reference)
        p_overlap, r_overlap = ratio(self.overlap, self.suggested), ratio(self.found_overlap, self.reference)
        return {"suggested": self.suggested, "reference": self.reference,
                "precision": p_exact, "recall": r_exact, "f1": f1(p_exact, r_exact),
                "precision_overlap": p_overlap, "recall_overlap": r_overlap, "f1_overlap": f1(p_overlap, r_overlap)}


@dataclass
class Scorer:
    counts: dict[tuple[str, str], Counts] = field(default_factory=lambda: defaultdict(Counts))
    quotes: int = 0  # reference quotes with a speaker
    speakers_right: int = 0

    def add(self, suggestions: list[dict], relations: list[dict], reference: list[dict],
            reference_relations: list[dict]) -> None:
        """One article: ``suggestions`` ``{"id", "label", "start", "end", "source", "entity"}``, ``relations``
        ``{"type", "source", "target"}`` by suggestion id; ``reference`` spans ``{"id", "label", "start",
        "end", "entity"}`` and ``reference_relations`` by span id."""
        by_label: dict[str, list[dict]] = defaultdict(list)
        for span in reference:
            by_label[span["label"]].append(span)
        sources = sorted({s["source"] for s in suggestions} | {ALL})
        labels = set(by_label) | {s["label"] for s in suggestions}
        for label in labels:
            gold = by_label.get(label, [])
            mine = [s for s in suggestions if s["label"] == label]
            for source in sources:
                chosen = mine if source == ALL else [s for s in mine if s["source"] == source]
                if source == ALL:
                    chosen = list({(s["start"], s["end"]): s for s in chosen}.values())
                if not chosen and source != ALL:
                    continue
                self._count(self.counts[(source, label)], chosen, gold)
        self._speakers(suggestions, relations, reference, reference_relations)

    @staticmethod
    def _count(counts: Counts, chosen: list[dict], gold: list[dict]) -> None:
        places = {(g["start"], g["end"]) for g in gold}
        mine = {(s["start"], s["end"]) for s in chosen}
        counts.suggested += len(chosen)
        counts.reference += len(gold)
        counts.exact += sum((s["start"], s["end"]) in places for s in chosen)
        counts.overlap += sum(any(g["start"] < s["end"] and s["start"] < g["end"] for g in gold) for s in chosen)
        counts.found_exact += sum((g["start"], g["end"]) in mine for g in gold)
        counts.found_overlap += sum(any(g["start"] < s["end"] and s["start"] < g["end"] for s in chosen)
                                    for g in gold)

    def _speakers(self, suggestions, relations, reference, reference_relations) -> None:
        spans = {s["id"]: s for s in reference}
        proposed = {s["id"]: s for s in suggestions}
        quote_at = {(s["start"], s["end"]): s["id"] for s in suggestions if s["label"] == "Quote"}
        speakers = defaultdict(list)
        for relation in relations:
            if relation["type"] == "said_by" and relation["target"] in proposed:
                speakers[relation["source"]].append(proposed[relation["target"]])
        for relation in reference_relations:
            if relation["type"] != "said_by" or relation["source"] not in spans or relation["target"] not in spans:
                continue
            quote, speaker = spans[relation["source"]], spans[relation["target"]]
            self.quotes += 1
            suggested = quote_at.get((quote["start"], quote["end"]))
            if suggested is None:
                continue
            if any(_same_speaker(candidate, speaker) for candidate in speakers.get(suggested, [])):
                self.speakers_right += 1

    def table(self) -> dict:
        rows = [{"recommender": source, "label": label, **counts.figures()}
                for (source, label), counts in sorted(self.counts.items(), key=lambda i: (i[0][0] == ALL, i[0]))]
        share = round(self.speakers_right / self.quotes, 4) if self.quotes else None
        return {"rows": rows, "speakers": {"quotes": self.quotes, "right": self.speakers_right, "share": share}}


def _same_speaker(candidate: dict, speaker: dict) -> bool:
    if candidate["start"] < speaker["end"] and speaker["start"] < candidate["end"]:
        return True
    return candidate.get("entity") is not None and candidate.get("entity") == speaker.get("entity")
