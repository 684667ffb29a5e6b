"""The seed article (seeds/), imported as the plain-text import does it, and a gold annotation of it
for the suggestion quality test: the six direct quotes (marks included) with speaker and cue, and the
actor mentions — every mention of the four principals by name, variant spellings included ("Jung Ui
Young", "Kim In Chul", "Moon Jae In", "President Moon"), and the speakers of the quotes. Scare quotes
(“nine bridges”, “road map”) are not quotes. Entities are named by their knowledge-base names."""

from pathlib import Path

from articles.importing import parse_text

SEED = Path(__file__).resolve().parents[3] / "seeds" / "000_f0a2dd0e587ec461.txt"
PRINCIPALS = ["Jong Ui Young", "Sergei Lavrov", "Moon Jae-in", "Kim In Chol"]


def seed_text() -> str:
    return parse_text(SEED.read_text(encoding="utf-8")).text


# (needle, occurrence, entity or None)
ACTORS = [
    ("Jong Ui Young", 0, "Jong Ui Young"),
    ("Sergei Lavrov", 0, "Sergei Lavrov"),
    ("Moon Jae-in", 0, "Moon Jae-in"),
    ("Jong Ui Young", 1, "Jong Ui Young"),
    ("Sergei Lavrov", 1, "Sergei Lavrov"),
    ("Moon", 1, "Moon Jae-in"),  # "With President Moon coming to power", inside the first quote
    ("the South Korean minister", 0, "Jong Ui Young"),
    ("Moon Jae In", 0, "Moon Jae-in"),
    ("Yonhap", 0, None),
    ("Jung Ui Young", 0, "Jong Ui Young"),
    ("the parties", 0, None),
    ("Kim In Chol", 0, "Kim In Chol"),
    ("the diplomat", 0, "Kim In Chol"),
    ("Kim In Chul", 0, "Kim In Chol"),
    ("Moon Jae In", 1, "Moon Jae-in"),
    ("the Russian ministry", 0, None),
]

# (opening words of the quote, cue (needle, occurrence), speaker (needle, occurrence))
QUOTES = [
    ("“Russia and the Republic of Korea are strategic partners.", ("said", 0), ("the South Korean minister", 0)),
    ("“continue the stalled talks", ("According to", 0), ("Yonhap", 0)),
    ("“to continue close coordination", ("agreed", 1), ("the parties", 0)),
    ("“and all of this is supposed", ("According to", 1), ("the diplomat", 0)),
    ("“To resolve the nuclear issue", ("said", 1), ("Kim In Chul", 0)),
    ("“The Russian Federation and the Republic of Korea", ("confirmed", 1), ("the Russian ministry", 0)),
]
CLOSERS = "”"


def find(text: str, needle: str, occurrence: int) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def gold(text: str) -> dict:
    """``{"actors": [(start, end, entity)], "quotes": [((start, end), cue place, speaker place)]}``."""
    actors = [(*find(text, needle, n), entity) for needle, n, entity in ACTORS]
    quotes = []
    for opening, cue, speaker in QUOTES:
        start = text.index(opening)
        end = text.index(CLOSERS, start) + 1
        quotes.append(((start, end), find(text, *cue), find(text, *speaker)))
    return {"actors": actors, "quotes": quotes}
