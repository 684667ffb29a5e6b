"""Guidelines: how long the worst Markdown a manager can save takes to show.

Renders inputs that are slow for Markdown parsers (unclosed brackets, emphasis runs,
deep quotes, wide tables), each at the size bound, and prints each as a ratio to
rendering plain prose of the same length in the same run: a linear renderer keeps
every ratio small whatever the machine's load.
"""

from __future__ import annotations

import time

from articles.guidelines import MAX_GUIDELINES, render_guidelines

REPEATS = 5


def _hostile(n: int) -> dict[str, str]:
    columns = 1000
    row = "|x" * columns + "\n"
    return {
        "unclosed brackets": "[" * n,
        "link openers": ("[a](" * n)[:n],
        "emphasis runs": ("*a " * n)[:n],
        "mixed emphasis": ("*_" * n)[:n],
        "deep quotes": ">" * n,
        "backtick runs": ("`a" * n)[:n],
        "wide table": ("|a" * columns + "\n" + "|-" * columns + "\n" + row * n)[:n],
    }


def _best_ms(text: str) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        render_guidelines(text)
        best = min(best, time.perf_counter() - start)
    return best * 1000


def run(stdout, **options) -> None:
    n = MAX_GUIDELINES
    prose = ("Mark every checkable claim and link each quote to its speaker. " * (n // 60 + 1))[:n]
    base = _best_ms(prose)
    stdout.write(f"\nGuidelines at the bound of {n:,} characters (best of {REPEATS})")
    stdout.write(f"  plain prose: {base:.1f} ms")
    for name, text in _hostile(n).items():
        ms = _best_ms(text)
        stdout.write(f"  {name:18} {ms:7.1f} ms  ({ms / base:.1f}× plain prose)")
