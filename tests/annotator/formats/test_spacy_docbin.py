import sys

import pytest

from annotator.formats import spacy_docbin
from annotator.formats.common import FormatError

from .samples import seed_record


def test_without_spacy_write_fails_at_call_time_with_the_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "spacy", None)  # makes `import spacy` raise ImportError
    with pytest.raises(FormatError) as caught:
        spacy_docbin.write([seed_record()])
    assert caught.value.location == "spacy"
    assert str(caught.value) == "spacy: install the spacy extra: pip install .[spacy]"


def test_with_spacy_writes_a_docbin_with_entities_and_span_group():
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    data = b"".join(spacy_docbin.write([seed_record()], labels=["Actor", "Claim"]))
    (doc,) = DocBin().from_bytes(data).get_docs(spacy.blank("xx").vocab)
    assert doc.user_data["id"] == "seed-000"
    assert ("Sergei Lavrov", "Actor") in [(span.text, span.label_) for span in doc.spans["sc"]]
    assert {span.label_ for span in doc.ents} <= {"Actor", "Claim"}


def test_module_constants():
    assert (spacy_docbin.CONTENT_TYPE, spacy_docbin.EXTENSION) == ("application/octet-stream", "spacy")
