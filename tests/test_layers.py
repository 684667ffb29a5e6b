"""The code's shape holds (docs/architecture.md): config -> annotator -> articles and
never the reverse, formats and metrics without Django, nothing below the views
importing a view, and no import cycle.  Imports inside functions count as much as
those at the top of a module: both are read from the source, not from what runs."""

from __future__ import annotations

import tomllib
from itertools import pairwise
from pathlib import Path

import grimp
import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "annotator", "articles")
# annotator's top-level modules that sit above the services: entry points and glue.
ENTRY_POINTS = {
    "annotator.views", "annotator.urls", "annotator.admin", "annotator.admin_guard", "annotator.forms",
    "annotator.apps", "annotator.management", "annotator.benchmarks", "annotator.templatetags",
    "annotator.migrations", "annotator.api",
}


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*PACKAGES)


def contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def test_every_layering_contract_is_kept(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    status = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert status == 0, capsys.readouterr().out


def test_articles_imports_nothing_of_annotator_not_even_inside_a_function(graph):
    arrows = sorted(
        (importer, imported)
        for importer in graph.find_descendants("articles") | {"articles"}
        for imported in graph.find_modules_directly_imported_by(importer)
        if imported.split(".")[0] in ("annotator", "config")
    )
    details = [graph.get_import_details(importer=a, imported=b) for a, b in arrows]
    assert not arrows, details


def test_every_annotator_module_is_placed_in_a_layer(graph):
    """A new top-level module must be named in the services contract or be an entry point,
    so that the contract keeps covering the whole app."""
    services = next(c for c in contracts() if c["name"].startswith("Services"))["source_modules"]
    placed = set(services) | ENTRY_POINTS
    top_level = {m for m in graph.find_children("annotator")}
    assert top_level - placed == set()


def _cycle(graph, importer: str, imported: str) -> list[str] | None:
    if importer.startswith(imported + ".") or imported.startswith(importer + "."):
        return None  # a package and its own modules
    chain = graph.find_shortest_chain(importer=imported, imported=importer)
    return [importer, *chain] if chain else None


def test_no_import_cycle_between_modules(graph):
    cycles = []
    for importer in sorted(graph.modules):
        if importer.split(".")[0] not in PACKAGES or ".migrations" in importer:
            continue
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if imported.split(".")[0] in PACKAGES and (cycle := _cycle(graph, importer, imported)):
                cycles.append(" -> ".join(cycle))
    assert not cycles, "\n".join(cycles)


def test_the_cycle_check_can_fail():
    """The check above finds a cycle when there is one (here, made up)."""
    made_up = grimp.ImportGraph()
    for a, b in pairwise(["annotator.a", "annotator.b", "annotator.c", "annotator.a"]):
        made_up.add_import(importer=a, imported=b)
    assert _cycle(made_up, "annotator.a", "annotator.b") == ["annotator.a", "annotator.b", "annotator.c", "annotator.a"]
