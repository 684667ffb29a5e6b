"""``suggest PROJECT [--article ID …] [--force]``: compute and store the suggestions of a project's
articles whose suggestions are stale (or of those named), with progress and counts per recommender."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from annotator.management.commands.import_dataset import _Progress
from annotator.suggestions.engine import RECOMMENDERS
from annotator.suggestions.store import suggest_articles
from articles.models import Project


class Command(BaseCommand):
    help = "Compute the suggestions of a project's articles (those whose suggestions are stale, or those named)."

    def add_arguments(self, parser):
        parser.add_argument("project", help="the project's slug")
        parser.add_argument("--article", type=int, action="append", dest="articles", metavar="ID",
                            help="only this article (by id); may be given several times")
        parser.add_argument("--force", action="store_true", help="recompute even suggestions that are not stale")

    def handle(self, *args, project, articles, force, **options):
        target = Project.objects.filter(slug=project).first()
        if target is None:
            raise CommandError(f"No project with slug “{project}”.")
        if articles:
            known = set(target.articles.filter(pk__in=articles).values_list("pk", flat=True))
            missing = sorted(set(articles) - known)
            if missing:
                raise CommandError(f"Not articles of this project: {', '.join(map(str, missing))}.")
        progress = _Progress(self.stderr)
        started = time.perf_counter()
        report = suggest_articles(target, articles or None, force=force or bool(articles),
                                  progress=lambda done, total: progress("suggest", done, total, " articles"))
        elapsed = time.perf_counter() - started
        for source in RECOMMENDERS:
            self.stdout.write(f"{source:<18} {report.counts.get(source, 0):>8,} suggestion(s)")
        self.stdout.write(self.style.SUCCESS(
            f"Computed {report.articles:,} article(s), {report.fresh:,} already fresh; "
            f"{sum(report.counts.values()):,} suggestion(s), {report.relations:,} suggested relation(s) "
            f"({elapsed:.1f} s)."))
