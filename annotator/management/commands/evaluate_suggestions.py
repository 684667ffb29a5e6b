"""``evaluate_suggestions PROJECT [--against gold|submitted] [--json]``: how good the suggestions are."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from annotator.suggestions.evaluation import AGAINST, evaluate
from articles.models import Project


def _figure(value) -> str:
    return "—" if value is None else f"{value:.2f}"


class Command(BaseCommand):
    help = ("Precision, recall and F1 of each recommender per label (exact and overlapping spans) against the "
            "project's gold or submitted sets, and the share of quotes whose suggested speaker is right.")

    def add_arguments(self, parser):
        parser.add_argument("project", help="the project's slug")
        parser.add_argument("--against", choices=AGAINST, default="gold")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args, project, against, json: bool, **options):
        target = Project.objects.filter(slug=project).first()
        if target is None:
            raise CommandError(f"No project with slug “{project}”.")
        table = evaluate(target, against=against)
        if json:
            self.stdout.write(_dumps(table))
            return
        self.stdout.write(f"Against the {against} sets of {table['articles']:,} article(s).")
        self.stdout.write(f"{'recommender':<18} {'label':<8} {'sugg':>5} {'ref':>5}  {'P':>5} {'R':>5} {'F1':>5}"
                          f"   {'P~':>5} {'R~':>5} {'F1~':>5}")
        for row in table["rows"]:
            self.stdout.write(
                f"{row['recommender']:<18} {row['label']:<8} {row['suggested']:>5} {row['reference']:>5}  "
                f"{_figure(row['precision']):>5} {_figure(row['recall']):>5} {_figure(row['f1']):>5}   "
                f"{_figure(row['precision_overlap']):>5} {_figure(row['recall_overlap']):>5} "
                f"{_figure(row['f1_overlap']):>5}")
        speakers = table["speakers"]
        self.stdout.write(f"Quotes whose suggested speaker is right: {speakers['right']} of {speakers['quotes']}"
                          f" ({_figure(speakers['share'])}).  ~ = overlapping spans count.")


def _dumps(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)
