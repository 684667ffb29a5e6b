import io

import pytest

from annotator import formats
from annotator.formats import FormatError
from tests.annotator.formats.samples import read_all


def test_registry_names_match_the_management_commands():
    assert list(formats.FORMATS) == ["jsonl", "doccano", "labelstudio", "brat", "conll", "csv", "spacy",
                                     "claimreview", "webanno"]
    assert set(formats.READABLE) == {"jsonl", "doccano", "labelstudio", "brat", "csv", "webanno"}
    assert formats.WRITABLE == formats.FORMATS


@pytest.mark.parametrize("name", list(formats.FORMATS))
def test_every_format_declares_content_type_extension_and_write(name):
    module = formats.FORMATS[name]
    assert isinstance(module.CONTENT_TYPE, str) and module.CONTENT_TYPE
    assert isinstance(module.EXTENSION, str) and not module.EXTENSION.startswith(".")
    assert callable(module.write)
    assert callable(getattr(module, "read", None)) == (name in formats.READABLE)


def test_read_all_collects_format_errors_and_check_record_findings():
    data = (b'{"id": "a", "text": "Seoul", "annotations": [{"spans": [{"id": 1, "label": "Actor", '
            b'"start": 0, "end": 9, "text": "Seoul"}]}]}\n'
            b'{oops\n'
            b'{"id": "b", "text": "Moscow"}\n')
    records, errors = read_all("jsonl", io.BytesIO(data))
    assert [record["id"] for record in records] == ["b"]
    assert [str(error) for error in errors] == [
        "line 1: span 1: out of range: 0–9 but the text has 5 characters",
        "line 2: not valid JSON: Expecting property name enclosed in double quotes at column 2",
    ]
    assert all(isinstance(error, FormatError) for error in errors)
