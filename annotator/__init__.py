"""The annotation domain (labels, entities, sets, spans, relations, the event log,
review, agreement, datasets and formats) and every page that combines it with projects."""
