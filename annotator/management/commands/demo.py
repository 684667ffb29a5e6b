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

    def handle(self, *args, **options):
        if not Project.objects.filter(slug="demo").exists():
            call_command("loaddata", str(Path(settings.BASE_DIR) / "fixtures" / "demo.json"), verbosity=0)
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
        self.stdout.write(self.style.SUCCESS("Factmark demo: http://127.0.0.1:8000/"))
        self.stdout.write(f"Log in as any of {', '.join(DEMO_USERS)} with the password “{DEMO_PASSWORD}”")
        self.stdout.write("(admin is the superuser; these logins exist in the local demo database only).")
