"""Templates stay readable: no line longer than a screen."""

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LIMIT = 160


def test_no_template_line_is_longer_than_160_characters():
    long_lines = [
        f"{path.relative_to(TEMPLATES)}:{number} ({len(line)} characters)"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if len(line) > LIMIT
    ]
    assert not long_lines, "\n".join(long_lines)
