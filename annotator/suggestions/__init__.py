"""Suggestions: the machine layer of an article (docs/design.md, rule 9: machines propose, people decide).

Pure recommenders, plain Python over text and plain data (no Django, no database), one module each:

- :mod:`.kb` — knowledge-base names and aliases found as whole words (one Aho-Corasick pass);
- :mod:`.variants` — spellings close to a known name (Jung/Jong, Chul/Chol, Jae-in/Jae In, diacritics, case);
- :mod:`.quotes` — direct quotes between paired marks, with their cue and speaker;
- :mod:`.memory` — what the team tagged elsewhere in the project, scored by acceptance and rejection;
- :mod:`.claims` — sentences with check-worthy signals (figures, money, comparisons, records, causes);
- :mod:`.engine` runs them over one text; :mod:`.scoring` compares suggestions with annotations.

On the database side: :mod:`.store` loads what the recommenders need, runs them and stores the results
(recomputed when the knowledge base, the team's memory or the settings changed); :mod:`.decide` accepts a
suggestion into an annotator's own set or rejects it; :mod:`.reads` lists what an annotator still has to
decide; :mod:`.evaluation` measures the recommenders against gold or submitted sets; :mod:`.importing`
puts imported machine output into the layer.
"""
