"""Projects, their members and roles, articles, text normalisation, plain-text import
and the permission entry point.  Imports nothing of ``annotator``."""
