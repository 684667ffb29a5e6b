"""``manage.py demo``: the demo project with the seed article and the demo users, made
once and kept on later runs (``make run`` calls it)."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from articles.importing import import_texts, sources_from_paths
from articles.models import Project

from ...assignment import assign
from ...schema import install_default_schema

DEMO_USERS = ["admin", "manager", "reviewer", "annotator1", "annotator2"]
DEMO_PASSWORD = "factmark"


class Command(BaseCommand):
    help = "Create the demo project with the seed articles and demo users, once; later runs keep the data."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000",
                            help="the address the server will listen on, as given to runserver (make run passes BIND)")

    def handle(self, *args, bind="127.0.0.1:8000", **options):
        if not Project.objects.filter(slug="demo").exists():
            call_command("loaddata", str(Path(settings.BASE_DIR) / "fixtures" / "demo.json"), verbosity=0)
            # Selections widen to whole words, as in every new project.
            Project.objects.filter(slug="demo").update(snap_to_words=True)
            self.stdout.write("Created the demo project and users.")
        project = Project.objects.get(slug="demo")
        install_default_schema(project)
        report = import_texts(project, sources_from_paths([Path(settings.BASE_DIR) / "seeds"]))
        if report.created:
            self.stdout.write(f"Imported {len(report.created)} seed article(s).")
            # Give the demo annotators the seed articles, as a manager would on the Assignments page.
            User = get_user_model()
            manager = User.objects.get(username="manager")
            ids = [article.pk for article in report.created]
            for username in ("annotator1", "annotator2"):
                assign(project=project, article_ids=ids, user=User.objects.get(username=username), by=manager)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Factmark demo: {demo_url(bind)}"))
        self.stdout.write(f"Log in as any of {', '.join(DEMO_USERS)} with the password “{DEMO_PASSWORD}”")
        self.stdout.write("(admin is the superuser; these logins exist in the local demo database only).")


def demo_url(bind: str) -> str:
    """Where the demo answers when the server listens on ``bind`` ("8000", "0.0.0.0:8080", "[::]:8000")."""
    host, _, port = bind.rpartition(":")
    host = host or "127.0.0.1"
    if host in ("0.0.0.0", "[::]", "::"):
        return f"http://127.0.0.1:{port}/ (listening on every interface: use this machine's address from elsewhere)"
    return f"http://{host}:{port}/"

