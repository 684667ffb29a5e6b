"""``import_dataset PROJECT FILE --format FMT``: all or nothing, every problem listed."""

from __future__ import annotations

import gc
import io
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from annotator.datasets import ImportRefused, import_records
from annotator.formats import READABLE
from articles.models import Project

BAR_WIDTH = 30


class _CountingReader(io.RawIOBase):
    """A read-only file that reports how many bytes were read so far."""

    def __init__(self, raw, report):
        super().__init__()
        self._raw = raw
        self._report = report
        self.done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self._raw.readinto(buffer)
        self.done += count or 0
        self._report(self.done)
        return count


class _Progress:
    """A bar on a terminal; a line every tenth of the way otherwise."""

    def __init__(self, stream):
        self.stream = stream  # a command's OutputWrapper
        self.tty = stream.isatty()
        self.shown: dict[str, int] = {}

    def __call__(self, stage: str, done: int, total: int, unit: str = "") -> None:
        fraction = done / total if total else 1.0
        if self.tty:
            filled = int(fraction * BAR_WIDTH)
            self.stream.write(f"\r{stage:<8} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {fraction:4.0%} "
                              f"{done:,}/{total:,}{unit}", ending="\n" if done >= total else "")
            self.stream.flush()
            return
        tenth = int(fraction * 10)
        if self.shown.get(stage, -1) < tenth:
            self.shown[stage] = tenth
            self.stream.write(f"{stage}: {fraction:.0%} ({done:,}/{total:,}{unit})")


class Command(BaseCommand):
    help = ("Import a dataset file (Factmark JSONL, doccano, Label Studio, brat zip, CSV) into a project, all or "
            "nothing; every bad record is listed and the command exits non-zero.")

    def add_arguments(self, parser):
        parser.add_argument("project", help="the project's slug")
        parser.add_argument("file", help="the file to import")
        parser.add_argument("--format", required=True, choices=list(READABLE), dest="fmt")
        parser.add_argument("--add-labels", action="store_true",
                            help="create labels and relation types the project does not have yet")
        parser.add_argument("--annotator", default=None,
                            help="whose are the annotation sets the file does not name (without it they go to the "
                                 "suggestion layer: machine output never poses as a person)")
        parser.add_argument("--as-suggestions", action="store_true",
                            help="put every set of the file into the suggestion layer, not into annotation sets")
        parser.add_argument("--source", default=None,
                            help="the source the suggestions are recorded under (default: the file's name)")
        parser.add_argument("--offsets", choices=["codepoints", "utf16"], default="codepoints",
                            help="doccano and Label Studio only: how the file counts offsets")
        parser.add_argument("--as-user", help="the username recorded in the event log as the importer")

    def handle(self, *args, project, file, fmt, add_labels, annotator, offsets, as_user, as_suggestions=False,
               source=None, **options):
        try:
            target = Project.objects.get(slug=project)
        except Project.DoesNotExist:
            raise CommandError(f"No project with slug “{project}”.") from None
        user = None
        if as_user:
            user = get_user_model().objects.filter(username=as_user).first()
            if user is None:
                raise CommandError(f"No user called “{as_user}”.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file.")
        reader_options = {"offsets": offsets} if fmt in ("doccano", "labelstudio") else {}
        progress = _Progress(self.stderr)
        total = path.stat().st_size
        started = time.perf_counter()
        # Every record stays in memory until the file is checked; the cyclic collector would
        # rescan them again and again, a quarter of the run time, and finds nothing to free.
        gc.disable()
        try:
            with path.open("rb") as raw:
                stream = io.BufferedReader(
                    _CountingReader(raw, lambda done: progress("reading", done, total, " bytes")),
                    buffer_size=1024 * 1024)
                report = import_records(
                    target, READABLE[fmt].read(stream, **reader_options), user=user, add_labels=add_labels,
                    default_annotator=annotator, source_name=path.name, as_suggestions=as_suggestions,
                    suggestion_source=source,
                    progress=lambda done, count: progress("saving", done, count, " articles"))
        except ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(error)
            raise CommandError(f"Nothing was imported: {len(refused.errors)} problem(s).") from None
        finally:
            gc.enable()
        for skipped in report.skipped:
            self.stderr.write(self.style.WARNING(f"skipped: {skipped}"))
        for note in report.notes:
            self.stderr.write(note)
        if report.labels_created or report.relation_types_created:
            self.stdout.write(f"New labels: {', '.join(report.labels_created) or '—'}; new relation types: "
                              f"{', '.join(report.relation_types_created) or '—'}.")
        if report.users_created:
            self.stdout.write(f"New inactive users: {', '.join(report.users_created)}.")
        self.stdout.write(self.style.SUCCESS(f"{report.summary()} ({time.perf_counter() - started:.1f} s)"))
