"""``manage.py benchmark [PART …]``: prints the speed figures of the workspace, the
datasets and agreement, measured on a throwaway database (see ``annotator.benchmarks``)."""

import importlib
import os
import tempfile

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import setup_test_environment, teardown_test_environment

from annotator.benchmarks import PARTS


class Command(BaseCommand):
    help = "Build benchmark data in a throw-away database and print figures (time, memory, SQL queries)."

    def add_arguments(self, parser):
        parser.add_argument("parts", nargs="*", help=f"which parts to run (default: all of {', '.join(PARTS)})")
        parser.add_argument("--keep-db", action="store_true", help="keep the benchmark database afterwards")
        parser.add_argument("--articles", type=int, help="datasets: how many articles to generate (default 10,000)")

    def handle(self, *args, parts, keep_db, articles, **options):
        if articles:
            options["articles"] = articles
        parts = parts or PARTS
        unknown = set(parts) - set(PARTS)
        if unknown:
            raise CommandError(f"Unknown part(s): {', '.join(sorted(unknown))}")
        setup_test_environment(debug=False)
        if connection.vendor == "sqlite":
            # Measure SQLite as it runs for real: a file in WAL mode, not memory.
            tmp = tempfile.mkdtemp(prefix="factmark-bench-")
            connection.settings_dict["TEST"]["NAME"] = os.path.join(tmp, "bench.sqlite3")
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep_db)
        try:
            for part in parts:
                module = importlib.import_module(f"annotator.benchmarks.{part}")
                module.run(self.stdout, **options)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=keep_db)
            teardown_test_environment()
