"""axe-core in the browser tests: run it on the page as it is, and say what it found.

axe-core comes inside the ``axe-playwright-python`` package (the ``test`` extra): nothing
is fetched at run time. Playwright evaluates the script through the DevTools protocol,
so the pages' Content-Security-Policy stays as it is.
"""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

_AXE = Axe()
IMPACTS = ("minor", "moderate", "serious", "critical")


def violations(page, *, at_least: str = "minor", within: str | None = None) -> list[dict]:
    """axe's violations on ``page`` (optionally inside the CSS selector ``within``) whose impact is
    ``at_least`` or worse."""
    context = {"include": [[within]]} if within else None
    found = _AXE.run(page, context=context).response["violations"]
    floor = IMPACTS.index(at_least)
    return [v for v in found if IMPACTS.index(v.get("impact") or "minor") >= floor]


def describe(found: list[dict], limit: int = 3) -> str:
    """One line per violation: rule, impact, how many elements, and the first few of them."""
    lines = []
    for v in found:
        targets = ", ".join(" ".join(map(str, node["target"])) for node in v["nodes"][:limit])
        lines.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])}×): {v['help']} — {targets}")
    return "\n".join(lines)


def counts(found: list[dict]) -> dict[str, int]:
    """How many elements fail, per impact."""
    totals: dict[str, int] = {}
    for v in found:
        totals[v["impact"]] = totals.get(v["impact"], 0) + len(v["nodes"])
    return totals
