"""INCEpTION's WebAnno TSV 3.x, read and written.

Read: a single TSV file (one document, one annotation set) or a zip such as INCEpTION's
project export, where ``annotation/<document>/<user>.tsv`` is a user's set,
``curation/<document>/CURATION_USER.tsv`` the gold set and ``source/<document>`` the
original text (each set's status comes from the export's ``exportedproject*.json``).
Written: a zip in that same layout, one TSV per annotation set.  ``reading`` opens
files and zips, ``tsv`` reads one TSV file, ``writing`` writes, ``escaping`` holds
the format's two escaping rules.

The format (INCEpTION's user guide, "WebAnno TSV 3.3 File format")::

    #FORMAT=WebAnno TSV 3.3
    #T_SP=de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity|identifier|value
    #T_CH=de.tudarmstadt.ukp.dkpro.core.api.coref.type.CoreferenceLink|referenceType|referenceRelation
    #T_RL=webanno.custom.Relation|label|BT_de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity


    #Text=Ms. Haag plays 😊 .
    1-1     0-3     Ms.     *       PER[1]|ORG[2]   …
    1-2     4-8     Haag    *       PER[1]          …
    1-3     9-14    plays   …
    1-3.1   9-13    play    …

A token line is ``sentence-token``, ``begin-end`` (UTF-16 units, as Java counts), the
token, then one column per feature of each layer in header order (a relation layer adds
its ``BT_`` column, the token its arc comes from; a layer without features has one
column). ``_`` means no annotation of the layer, ``*`` an annotation without a value;
``|`` separates stacked annotations, ``[n]`` joins the units of one annotation, ``[n_m]``
after a relation's source picks the source and target when a unit holds several, and a
chain link reads ``relation->chain-link``. Values escape ``\\ [ ] | _ -> ; *``, tab and
line feed; ``#Text`` lines escape backslash and control characters.

How it maps (reading):

- Each annotation of a span layer (``#T_SP``) is a span. Its label is the value of the
  layer's first feature among ``value``, ``label``, ``type``, ``tag``, ``PosValue``,
  ``DependencyType`` (NamedEntity's ``value``, a custom layer's ``label``); a layer without
  one, or an annotation with ``*`` there, is labelled with the layer's short name
  (``webanno.custom.Claim`` → ``Claim``). Every other feature with a value is an attribute,
  its value as text (``true``/``false`` stay text: a verdict may be ``true``; the import
  makes them yes/no for a yes/no attribute), except ``identifier``,
  which links the span to an entity: one entity per identifier, named by the first span
  linked to it, a Wikidata IRI filling ``wikidata`` and ``factmark:entity/<id>`` keeping
  Factmark's id.
- Each annotation of a relation layer (``#T_RL``) is a relation from the annotation its
  ``BT_`` column names to the one on its own line, typed by the label feature (chosen as
  for spans, else the layer's first feature) or the layer's short name. Factmark relations
  carry only a type: a second relation feature with a value refuses the file, naming the
  line.
- Each link of a chain layer (``#T_CH``) is a span labelled with the layer's short name
  without ``Link`` (``CoreferenceLink`` → ``Coreference``), its ``referenceType`` an
  attribute; consecutive links of a chain become relations typed by the earlier link's
  ``referenceRelation`` (or the layer's name). Lost: the chain as an object (its links
  stay joined by the relations) and the chain numbers.
- Text: the ``#Text`` lines of a sentence joined by line breaks, each sentence placed at
  its first token's offset. The format does not hold the text between sentences; when the
  zip has the document's ``source/`` text and every sentence is found there at its offset,
  that text is used whole, otherwise gaps are filled as INCEpTION fills them (a line break,
  then spaces). Offsets are UTF-16 units in the file, code points in Factmark.
- Refused, each with its file and line: a first line that is not ``#FORMAT=WebAnno TSV 3…``,
  a malformed layer declaration, a relation layer whose ``BT_`` layer is not declared, a
  token line with a wrong number of columns or bad id or offsets, tokens that overlap, lie
  outside their sentence or do not match its text, references to tokens or ``[n]`` ids
  that do not exist or are ambiguous, zero-length annotations (a Factmark span covers at
  least one character), slot features with values, and bytes that are not UTF-8.

How it maps (writing): the spans of a set become the span layer ``webanno.custom.Span``
with the feature ``label``, one feature per attribute name (``true``/``false`` for
booleans, JSON for lists and numbers' text for numbers) and ``identifier`` when a span
links an entity (the Wikidata IRI, or ``factmark:entity/<id>``); relations become
``webanno.custom.Relation`` with ``label`` and ``BT_webanno.custom.Span``. Tokens and
sentences are made up (see ``writing``) so that every span starts and ends on a token or
sub-token boundary and the ``#Text`` lines hold the whole text. Not carried: span notes,
the title and meta, entity names, kinds and aliases; attribute names lose ``|``,
white space and ``=``, and booleans and numbers come back as text. INCEpTION imports the files into a
project whose ``Span`` and ``Relation`` layers have those features.
"""

from __future__ import annotations

from .reading import MAX_BYTES, read
from .writing import document, write

CONTENT_TYPE = "application/zip"
EXTENSION = "zip"

__all__ = ["CONTENT_TYPE", "EXTENSION", "MAX_BYTES", "document", "read", "write"]
