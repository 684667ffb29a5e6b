"""``manage.py demo`` says where the demo answers, as ``make run`` serves it (``BIND``)."""

import io

import pytest
from django.core.management import call_command

from annotator.management.commands.demo import demo_url

pytestmark = pytest.mark.django_db


def run_demo(*args) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_demo_prints_the_address_it_is_served_on():
    assert "Factmark demo: http://127.0.0.1:8000/" in run_demo()
    assert "Factmark demo: http://localhost:9000/" in run_demo("--bind", "localhost:9000")


@pytest.mark.parametrize(("bind", "url"), [
    ("127.0.0.1:8000", "http://127.0.0.1:8000/"),
    ("8080", "http://127.0.0.1:8080/"),
    ("[::1]:8000", "http://[::1]:8000/"),
])
def test_demo_url(bind, url):
    assert demo_url(bind) == url


def test_every_interface_is_said_as_such():
    assert demo_url("0.0.0.0:8000").startswith("http://127.0.0.1:8000/ (listening on every interface")


def test_make_run_passes_bind_to_the_demo():
    from pathlib import Path

    from django.conf import settings

    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    assert "manage.py demo --bind $(BIND)" in makefile and "runserver $(BIND)" in makefile
