"""``export_dataset PROJECT --format FMT [-o FILE]``: streamed, to stdout when no ``-o``."""

from __future__ import annotations

import gc
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotator.datasets import ARTICLE_STATUSES, export_bytes
from annotator.errors import ServiceError
from annotator.formats import WRITABLE, unavailable, writable_here
from annotator.formats.common import FormatError
from annotator.formats.csvfmt import TABLES
from articles.models import Project

BINARY = ("brat", "spacy")


class Command(BaseCommand):
    help = "Export a project's articles and annotations in one of the exchange formats, streamed."

    def add_arguments(self, parser):
        parser.add_argument("project", help="the project's slug")
        parser.add_argument("--format", required=True, choices=list(WRITABLE), dest="fmt",
                            help=f"on this server: {', '.join(writable_here())}")
        parser.add_argument("--sets", default="all",
                            help="all (default, gold first), gold, submitted, or a username")
        parser.add_argument("--labels", default="", help="only these labels, comma-separated (e.g. Claim,Actor)")
        parser.add_argument("--search", default="", help="only articles whose title or text contains this")
        parser.add_argument("--status", default="", choices=[name for name in ARTICLE_STATUSES if name],
                            help="only articles in this state")
        parser.add_argument("--table", default="claims", choices=list(TABLES), help="CSV only: which table")
        parser.add_argument("-o", "--output", help="write to this file (stdout when left out)")
        parser.add_argument("--suggestions", action="store_true",
                            help="jsonl only: add each article's suggestions and suggested relations")

    def handle(self, *args, project, fmt, sets, labels, search, status, table, output, suggestions=False,
               **options):
        try:
            target = Project.objects.get(slug=project)
        except Project.DoesNotExist:
            raise CommandError(f"No project with slug “{project}”.") from None
        if suggestions and fmt != "jsonl":
            raise CommandError("Only the jsonl format carries suggestions.")
        if fmt == "spacy" and not output:
            raise CommandError("spaCy DocBin is a binary file: give -o FILE.spacy.")
        missing = unavailable().get(fmt)
        if missing:
            raise CommandError(f"The {fmt} format cannot be written here: {missing}.")
        labels = [name.strip() for name in labels.split(",") if name.strip()] or None
        if labels:
            unknown = sorted(set(labels) - set(target.labels.values_list("name", flat=True)))
            if unknown:
                raise CommandError(f"Not labels of this project: {', '.join(unknown)}.")
        started = time.perf_counter()
        try:
            extra = {"suggestions": True} if suggestions else {}
            pieces = export_bytes(target, fmt, user=None, sets=sets, labels=labels, search=search, status=status,
                                  table=table, **extra)
        except (ServiceError, FormatError) as refused:
            raise CommandError(str(refused)) from None
        # The export builds no reference cycles: the cyclic collector would only rescan each
        # chunk's records, a fifth of the run time on a large corpus. (Not done in the web
        # process, where the setting would apply to every thread.)
        gc.disable()
        try:
            written = self._to_file(Path(output), pieces) if output else self._to_stdout(pieces, fmt)
        finally:
            gc.enable()
        where = output or "stdout"
        self.stderr.write(f"Wrote {written:,} bytes to {where} in {time.perf_counter() - started:.1f} s.")

    @staticmethod
    def _to_file(path: Path, pieces) -> int:
        written = 0
        try:
            with path.open("wb") as out:
                for piece in pieces:
                    out.write(piece)
                    written += len(piece)
        except BaseException:
            path.unlink(missing_ok=True)  # no half-written file left behind
            raise
        return written

    def _to_stdout(self, pieces, fmt: str) -> int:
        binary = getattr(self.stdout._out, "buffer", None)  # the real stdout, or None for a text stream
        if fmt in BINARY and (binary is None or self.stdout.isatty()):
            raise CommandError(f"{fmt} writes a binary file: give -o FILE or redirect stdout.")
        written = 0
        for piece in pieces:
            if binary is not None:
                binary.write(piece)
            else:
                self.stdout.write(piece.decode("utf-8"), ending="")
            written += len(piece)
        if binary is not None:
            binary.flush()
        else:
            self.stdout.flush()
        return written
