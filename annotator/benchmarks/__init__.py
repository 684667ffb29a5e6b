"""Benchmarks printed by ``python manage.py benchmark``.

Each part is a module with ``run(stdout, **options)`` that builds its own data in
a throw-away database and prints figures.  Parts: see ``PARTS``.
"""

PARTS = ["workspace", "agreement", "datasets", "guidelines", "api", "suggestions"]
