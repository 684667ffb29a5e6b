import unicodedata

from hypothesis import assume, given
from hypothesis import strategies as st

from articles.text import content_hash, normalise


def test_line_endings_become_newlines():
    assert normalise("one\r\ntwo\rthree\n").text == "one\ntwo\nthree\n"


def test_text_becomes_nfc():
    assert normalise("Cafe\u0301").text == "Café"


def test_offsets_map_through_crlf():
    raw = "ab\r\ncd"
    result = normalise(raw)
    assert result.text == "ab\ncd"
    start, end = raw.index("cd"), raw.index("cd") + 2
    assert result.text[result.map(start):result.map(end)] == "cd"


def test_offsets_map_through_composition():
    raw = "Jose\u0301 Ramos said"
    result = normalise(raw)
    start, end = raw.index("Ramos"), raw.index("Ramos") + 5
    assert result.text[result.map(start):result.map(end)] == "Ramos"
    assert result.text[result.map(0):result.map(raw.index(" "))] == "José"


def test_content_hash_is_stable():
    assert content_hash("x") == content_hash("x") != content_hash("y")


pieces = st.sampled_from(["a", "b", " ", "\r\n", "\r", "\n", "e\u0301", "🚀", "👨🏻‍🚒", "🇺🇦", "\u05d0", "&", "<"])


@given(st.lists(pieces, max_size=30), st.data())
def test_any_boundary_between_pieces_maps_exactly(parts, data):
    raw = "".join(parts)
    result = normalise(raw)
    assert result.text == unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    assert len(result.offsets) == len(raw) + 1
    # Offsets between whole pieces land between the same pieces in the result.
    boundaries = [0]
    for part in parts:
        boundaries.append(boundaries[-1] + len(part))
    i = data.draw(st.integers(0, len(parts)))
    j = data.draw(st.integers(i, len(parts)))
    expected = normalise("".join(parts[i:j])).text
    got = result.text[result.map(boundaries[i]):result.map(boundaries[j])]
    # A slice may not begin between the two halves of a CRLF: that place is gone.
    assume(not (0 < i < len(parts) and parts[i - 1] == "\r" and parts[i] == "\n"))
    assert got == expected
