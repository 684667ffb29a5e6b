"""``manage.py agreement PROJECT [--json]``: the project's inter-annotator agreement
(span F1, token kappa and alpha, verdict agreement, per label and per pair), as a table or JSON."""

import json

from django.core.management.base import BaseCommand, CommandError

from articles.models import Project

from ...agreement.cache import public_report
from ...agreement.load import agreement_report, unknown_labels

METRICS = [
    ("span_f1_exact", "exact F1"),
    ("span_f1_overlap", "overlap F1"),
    ("kappa_token", "token kappa"),
    ("alpha_token", "token alpha"),
]


def _number(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def _table(title: str, rows: list[tuple[str, dict]]) -> list[str]:
    width = max([len(title), *(len(name) for name, _ in rows)])
    head = "  ".join(f"{label:>11}" for _, label in METRICS)
    lines = [f"{title:<{width}}  {head}"]
    for name, figures in rows:
        lines.append(f"{name:<{width}}  " + "  ".join(f"{_number(figures[key]):>11}" for key, _ in METRICS))
    return lines


def _verdicts(summary: dict) -> str:
    if not summary["pairs"]:
        return "no claim marked at the same place by two annotators with a verdict each"
    return (
        f"{summary['pairs']} claim pair{'s' if summary['pairs'] != 1 else ''}, "
        f"agreement {_number(summary['agreement'])}, kappa {_number(summary['kappa'])}"
    )


class Command(BaseCommand):
    help = (
        "Inter-annotator agreement of a project: exact and overlap span F1, token Cohen's kappa and "
        "Krippendorff's alpha, per label and per annotator pair, and agreement on claim verdicts. "
        "Only articles with at least two submitted sets count."
    )

    def add_arguments(self, parser):
        parser.add_argument("project", help="the project's slug")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print one JSON object, not tables")
        parser.add_argument(
            "--include-unsubmitted",
            action="store_true",
            help="count every set that has spans, submitted or not",
        )
        parser.add_argument("--labels", help="only these labels, comma-separated, e.g. Claim,Actor")

    def handle(self, *args, project, as_json, include_unsubmitted, labels, **options):
        found = Project.objects.filter(slug=project).first()
        if found is None:
            raise CommandError(f"No project with the slug “{project}”.")
        names = None
        if labels is not None:
            names = list(dict.fromkeys(name.strip() for name in labels.split(",") if name.strip()))
            if not names:
                raise CommandError("--labels needs at least one label name.")
            unknown = unknown_labels(found, names)
            if unknown:
                known = ", ".join(found.labels.order_by("order", "name").values_list("name", flat=True))
                raise CommandError(f"Unknown label(s) {', '.join(unknown)}; the project's labels are: {known}.")
        report = agreement_report(found, include_unsubmitted=include_unsubmitted, labels=names)
        if as_json:
            self.stdout.write(json.dumps(public_report(report), ensure_ascii=False))
            return
        self.stdout.write("\n".join(self._readable(found, report, include_unsubmitted)))

    def _readable(self, project, report, include_unsubmitted) -> list[str]:
        rule = (
            "sets that are submitted or have spans"
            if include_unsubmitted
            else "only articles with at least two submitted sets count"
        )
        n = report["articles"]
        lines = [f"Agreement in {project.name} ({project.slug}): {n} article{'s' if n != 1 else ''} counted ({rule})."]
        if not n:
            lines.append("Nothing to compare yet: no article has two annotators' sets that count.")
            return lines
        lines.append("")
        lines += _table("Overall", [("all labels", report["overall"])])
        lines.append("(F1 and kappa: the mean over pairs; alpha: all annotators at once.)")
        lines.append("")
        lines += _table("Per label", list(report["labels"].items()))
        lines.append("")
        lines += _table("Per pair", [(f"{pair['a']} / {pair['b']}", pair) for pair in report["pairs"]])
        lines.append("")
        lines.append("Claim verdicts (claims both annotators marked at the same offsets):")
        lines.append(f"  overall: {_verdicts(report['overall']['verdict_agreement'])}")
        for pair in report["pairs"]:
            lines.append(f"  {pair['a']} / {pair['b']}: {_verdicts(pair['verdict_agreement'])}")
        return lines
