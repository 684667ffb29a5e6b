"""Datasets in and out of a project: import of exchange-format records, streamed export.

Both directions speak the Factmark JSONL record of :mod:`annotator.formats.common`.

**Import** (:func:`import_records`) takes the ``(location, record | FormatError)`` pairs a
format reader yields (plain records are accepted too) and saves them all, or nothing
(docs/design.md, rule 4), in two passes:

- :mod:`.check` reads every record and checks it against the project: text normalised once
  (docs/design.md, rule 2) with span offsets mapped through the same change
  (:mod:`.values`), ids, metadata, entities, and (:mod:`.check_annotations`) sets, labels,
  attribute values and relation types; every problem of every record is reported with its
  location, and :class:`ImportRefused` carries them. Labels and relation types outside the
  schema refuse the file unless ``add_labels``. What survives is an import plan (:mod:`.plan`).
- :mod:`.write` saves the plan in one transaction: unknown annotators as inactive users,
  new labels, relation types and knowledge-base entities, then articles, sets, spans,
  relations and ``import`` events in chunks, with the fast inserts of :mod:`.bulk`. Sets are
  never merged into sets that hold spans; the report is a :class:`DatasetImportReport`.

**Export** (:mod:`.export`): :func:`export_records` streams the records of a project in
chunks, with a constant number of queries per chunk, as plain dicts; :func:`export_bytes`
turns them into a file of any writable format, JSONL lines written by :mod:`.jsonl_fast`
byte for byte as :mod:`annotator.formats.jsonl` writes them.
"""

from articles.importing import ImportRefused

from .export import ARTICLE_STATUSES, export_bytes, export_filename, export_records
from .write import DatasetImportReport, import_records

__all__ = ["ARTICLE_STATUSES", "DatasetImportReport", "ImportRefused", "export_bytes", "export_filename",
           "export_records", "import_records"]
