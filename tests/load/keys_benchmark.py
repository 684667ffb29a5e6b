"""How many keys and clicks an annotation takes in the workspace, and how soon a key shows.

Not part of `make test`: run it on purpose, with Chromium as for the browser tests:

    CHROMIUM=/usr/bin/chromium .venv/bin/python -m pytest -q -s -p no:cacheprovider tests/load/keys_benchmark.py

It annotates the seed article to one fixed target twice, in two fresh sets: once
mouse-first (drag, click the label, pick in the panel's lists) and once with the keyboard
alone ("/" to find the place, Shift+arrows to select, label keys, digits for verdicts, `l` and a digit for
links, the entity search from the keyboard).  The target: 4 actor mentions linked to
entities, 2 quotes each linked to a speaker and a cue, 2 claims with a verdict (20
annotations: 10 spans, 4 entity links, 4 relations, 2 verdicts).  It prints keys + clicks
per annotation for each run, and the median time from a label key to its mark on screen
(measured in the page: keydown to the mark's insertion).
"""

import re
import statistics
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from annotator.models import AnnotationSet, Relation, Span
from articles.importing import import_texts, sources_from_paths
from articles.models import Role
from tests.browser.conftest import CHROMIUM_ARGS, chromium_path
from tests.browser.helpers import select_text
from tests.factories import make_project, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (label key, text, occurrence): in text order.
SPANS = [
    ("a", "Jong Ui Young", 0), ("a", "Sergei Lavrov", 0), ("a", "Jong Ui Young", 1), ("a", "Sergei Lavrov", 1),
    ("q", "Russia and the Republic of Korea are strategic partners", 0),
    ("c", "Washington annually spends more than $ 700 billion", 0),
]
LATER = [("u", "said", 0), ("q", "nine bridges", 0), ("c", "the DPRK in a future war", 0), ("u", "said", 1)]
UNITS = 20
WORD = re.compile(r"[\w'’-]")

# Each label key press and the moment its mark is in the article, in the page's clock.
PROBE = """() => {
    window.__keys = []; window.__marks = [];
    document.addEventListener('keydown', e => {
        if (e.key.length === 1 && 'acqu'.includes(e.key) && !e.target.closest('input, textarea, select')) {
            window.__keys.push(performance.now());
        }
    }, true);
    document.addEventListener('click', e => {
        if (e.target.closest('.label-btn')) window.__keys.push(performance.now());
    }, true);
    const seen = new Set([...document.querySelectorAll('#article mark[data-span]')].map(m => m.dataset.span));
    new MutationObserver(() => {
        for (const m of document.querySelectorAll('#article mark[data-span]')) {
            if (!seen.has(m.dataset.span)) { seen.add(m.dataset.span); window.__marks.push(performance.now()); }
        }
    }).observe(document.getElementById('article'), {subtree: true, childList: true});
}"""


def occurrence_at(text, needle, occurrence):
    at = -1
    for _ in range(occurrence + 1):
        at = text.index(needle, at + 1)
    return at


class Keyboard:
    """Presses keys and counts them; follows the workspace's caret (a word at a time)."""

    def __init__(self, page, text):
        self.page, self.text, self.keys, self.caret = page, text, 0, 0

    def press(self, key, times=1):
        for _ in range(times):
            self.page.keyboard.press(key)
            self.keys += 1

    def type(self, text):
        self.page.keyboard.type(text, delay=5)
        self.keys += len(text)

    def word(self, i):
        return i < len(self.text) and bool(WORD.match(self.text[i]))

    def next_start(self, p):
        while p < len(self.text) and self.word(p):
            p += 1
        while p < len(self.text) and not self.word(p):
            p += 1
        return p

    def next_end(self, p):
        while p < len(self.text) and not self.word(p):
            p += 1
        while p < len(self.text) and self.word(p):
            p += 1
        return p

    def select(self, start, end):
        """Travel with "/" and the shortest start of the target found first from the caret,
        Enter (which selects it), then Shift+→ to the target's end."""
        needle = self.text[start:end].lower()
        for length in range(2, len(needle) + 1):
            if self.find(needle[:length]) == start:
                break
        self.press("/")
        self.type(self.text[start:start + length])
        self.press("Enter")
        at = start + length
        while at < end:
            at = self.next_end(at)
            self.press("Shift+ArrowRight")
        assert at == end, (at, end)
        self.caret = end

    def find(self, query):
        lowered = self.text.lower()
        at = lowered.find(query, self.caret)
        return at if at != -1 else lowered.find(query)


def wait_quiet(page):
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def new_span(page, before):
    page.wait_for_function("(n) => document.querySelectorAll('#article mark[aria-label]').length > n", arg=before)
    wait_quiet(page)


def marks(page):
    return page.locator("#article mark[aria-label]").count()


def keyboard_run(page, text):
    kb = Keyboard(page, text)
    for _ in range(30):
        kb.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "article":
            break
    names = {}
    for key, needle, occurrence in sorted(SPANS + LATER, key=lambda s: occurrence_at(text, s[1], s[2])):
        start = occurrence_at(text, needle, occurrence)
        kb.select(start, start + len(needle))
        before = marks(page)
        kb.press(key)
        new_span(page, before)
        if key == "c":
            kb.press("2")
            page.wait_for_function("() => document.querySelector('#article mark:focus[data-verdict]')")
        if key == "a":
            kb.press("Enter")
            page.wait_for_function("() => document.activeElement && document.activeElement.id === 'entity-q'")
            if needle in names:
                kb.type(needle.split()[-1])
                page.locator("#entity-results .entity-pick").first.wait_for()
                kb.press("Tab")
                kb.press("Enter")
            else:
                while page.evaluate("() => document.activeElement.id") != "new-entity":
                    kb.press("Tab")
                kb.press("Enter")
                names[needle] = True
            page.locator("#linked-entity").wait_for()
            wait_quiet(page)
            kb.press("Escape")
    # Link each quote to its speaker and its cue: j to it, l and a digit, twice.
    for quote in Span.objects.filter(label__name="Quote", annotation_set__user__username="keys"):
        while page.evaluate("() => document.activeElement.dataset.span || ''") != str(quote.pk):
            kb.press("j")
        for _ in range(2):
            kb.press("l")
            with page.expect_response(lambda r: r.url.endswith("/relations/")):
                kb.press("1")
            wait_quiet(page)
    return kb.keys, 0


def mouse_run(page, text):
    keys = clicks = 0
    names = {}
    for key, needle, occurrence in sorted(SPANS + LATER, key=lambda s: occurrence_at(text, s[1], s[2])):
        select_text(page, needle, occurrence=occurrence)
        before = marks(page)
        page.click(f"#palette .label-btn:has-text('{ {'a': 'Actor', 'q': 'Quote', 'c': 'Claim', 'u': 'Cue'}[key] }')")
        clicks += 2  # the drag and the label
        new_span(page, before)
        if key == "c":
            page.locator("#attr-verdict").select_option(index=2)
            clicks += 2  # open the list, pick
            wait_quiet(page)
        if key == "a":
            if needle in names:
                page.click("#entity-q")
                page.keyboard.type(needle.split()[-1], delay=5)
                keys += len(needle.split()[-1])
                page.locator("#entity-results .entity-pick").first.click()
                clicks += 2
            else:
                page.click("#new-entity")
                clicks += 1
                names[needle] = True
            page.locator("#linked-entity").wait_for()
            wait_quiet(page)
    for quote in Span.objects.filter(label__name="Quote", annotation_set__user__username="mouse"):
        page.locator(f'#article mark[data-span="{quote.pk}"]').first.click()
        clicks += 1
        try:
            page.locator("#panel .relation-form select").first.wait_for()
        except Exception:
            page.screenshot(path="/tmp/keys-fail.png")
            raise
        for name in ("Said by", "Cue"):
            form = page.locator("#panel .relation-form", has_text=name)
            form.locator("select").select_option(index=0)
            form.get_by_role("button", name="Link").click()
            clicks += 3  # open the list, pick, Link
            wait_quiet(page)
    return keys, clicks


def test_keys_and_clicks_per_annotation(live_server, capsys):
    from playwright.sync_api import sync_playwright

    users = {name: make_user(name) for name in ("mouse", "keys")}
    articles = {}
    for name, user in users.items():  # a project each: the second run finds no entity the first made
        project = make_project(slug=f"bench-{name}", members=[(user, Role.ANNOTATOR)])
        project.snap_to_words = True
        project.save()
        articles[name] = import_texts(project, sources_from_paths([Path(settings.BASE_DIR) / "seeds"])).created[0]
    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        for name, run in (("mouse", mouse_run), ("keys", keyboard_run)):
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            client = Client()
            client.force_login(users[name])
            context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                                  "url": live_server.url}])
            page = context.new_page()
            page.set_default_timeout(15_000)
            article = articles[name]
            page.goto(f"{live_server.url}/p/bench-{name}/a/{article.pk}/")
            assert page.locator("#article").count(), page.content()[:2000]
            page.evaluate(PROBE)
            try:
                keys, clicks = run(page, article.text)
            except Exception:
                page.screenshot(path=f"/tmp/keys-fail-{name}.png")
                raise
            latencies = page.evaluate("() => window.__keys.map((k, i) => (window.__marks[i] || k) - k)")
            annotation_set = AnnotationSet.objects.get(user=users[name])
            spans = annotation_set.spans.count()
            relations = Relation.objects.filter(annotation_set=annotation_set).count()
            linked = annotation_set.spans.exclude(entity=None).count()
            verdicts = annotation_set.spans.filter(attributes__has_key="verdict").count()
            assert (spans, relations, linked, verdicts) == (10, 4, 4, 2), (name, spans, relations, linked, verdicts)
            results[name] = (keys, clicks, latencies)
            context.close()
        browser.close()
    with capsys.disabled():
        print(f"\nkeys benchmark: the seed article, {UNITS} annotations (10 spans, 4 entity links, 4 relations, "
              "2 verdicts)")
        for name, (keys, clicks, latencies) in results.items():
            label = "mouse-first" if name == "mouse" else "keyboard-only"
            print(f"  {label}: {keys} keys + {clicks} clicks = {(keys + clicks) / UNITS:.1f} actions per annotation; "
                  f"key to mark on screen: median {statistics.median(latencies):.0f} ms "
                  f"(label keys and palette clicks: {len(latencies)})")
