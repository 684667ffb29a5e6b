"""``manage.py import_articles PROJECT PATH…``: plain-text files or folders into a
project, all or nothing."""

from django.core.management.base import BaseCommand, CommandError

from articles.importing import ImportRefused, import_texts, sources_from_paths
from articles.models import Project


class Command(BaseCommand):
    help = "Import plain-text articles (.txt files or folders of them) into a project, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("project", help="the project's slug")
        parser.add_argument("paths", nargs="+", help=".txt files or folders")

    def handle(self, *args, project, paths, **options):
        try:
            target = Project.objects.get(slug=project)
        except Project.DoesNotExist:
            raise CommandError(f"No project with slug “{project}”.") from None

        def progress(n, total, what):
            self.stdout.write(f"[{n}/{total}] {what}")

        try:
            report = import_texts(target, sources_from_paths(paths), progress=progress)
        except ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(f"refused: {error}")
            raise CommandError("Nothing was imported.") from None
        for skipped in report.skipped:
            self.stdout.write(self.style.WARNING(skipped))
        self.stdout.write(
            self.style.SUCCESS(f"Imported {len(report.created)} article(s), skipped {len(report.skipped)}.")
        )
