"""The Unicode matrix (docs/design.md, rule 1), in a real browser.

For every case an annotator drags the mouse over a target, presses a label key,
and the span the server stores covers exactly the target in code points; the page
shows it, and shows it again after a reload.
"""

from dataclasses import dataclass

import pytest
from django.test import Client

from annotator.models import Span
from articles.importing import Source, import_texts
from articles.models import Role
from tests.factories import make_article, make_project, make_user

from .helpers import select_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The text a span shows on the page: the text runs inside its marks, in order,
# with the newlines between paragraphs (which are not in the DOM) put back.
MARKED_TEXT = """(id) => {
    const runs = [...document.querySelectorAll('#article mark[data-span="' + id + '"] .t')];
    const seen = new Set();
    let text = '', at = null;
    for (const run of runs) {
        if (seen.has(run)) continue;
        seen.add(run);
        const o = Number(run.dataset.o);
        if (at !== null) text += '\\n'.repeat(Math.max(0, o - at));
        text += run.textContent;
        at = o + [...run.textContent].length;
    }
    return text;
}"""

# Where the occurrence of a needle starts and ends on screen.  Like helpers.select_text,
# but the first and last characters are whole graphemes (an emoji sequence, a letter
# with its combining marks), and right-to-left text starts at its right edge.
EDGES = """([needle, occurrence]) => {
    const nodes = [];
    const walker = document.createTreeWalker(document.getElementById('article'), NodeFilter.SHOW_TEXT);
    let all = '';
    while (walker.nextNode()) { nodes.push([walker.currentNode, all.length]); all += walker.currentNode.data; }
    let at = -1;
    for (let k = 0; k <= occurrence; k++) { at = all.indexOf(needle, at + 1); if (at < 0) return null; }
    const graphemes = [...new Intl.Segmenter(undefined, {granularity: 'grapheme'}).segment(needle)];
    const rect = (from, to) => {
        for (let k = nodes.length - 1; k >= 0; k--) {
            const [node, base] = nodes[k];
            if (base <= from) {
                const r = document.createRange();
                r.setStart(node, from - base); r.setEnd(node, Math.min(to - base, node.data.length));
                return r.getBoundingClientRect();
            }
        }
    };
    const first = graphemes[0], last = graphemes[graphemes.length - 1];
    const a = rect(at, at + first.segment.length);
    const b = rect(at + last.index, at + last.index + last.segment.length);
    const rtl = a.top === b.top && a.left > b.left;
    return {x1: rtl ? a.right - 0.5 : a.left + 0.5, y1: a.top + a.height / 2,
            x2: rtl ? b.left + 0.5 : b.right - 0.5, y2: b.top + b.height / 2};
}"""


PARAGRAPHS_OF = """(id) => new Set([...document.querySelectorAll('#article mark[data-span="' + id + '"]')]
    .map(m => m.closest('p.para').id)).size"""


@dataclass
class Target:
    needle: str  # what the mouse drags over, as the page shows it
    expected: str  # what the span must cover
    key: str = "c"
    occurrence: int = 0  # of ``expected`` in the article text
    graphemes: bool = False  # starts or ends on a grapheme of several code points, or right-to-left
    paragraphs: int = 1  # how many paragraphs show a piece of the span


@dataclass
class Case:
    text: str
    targets: list[Target]
    crlf: bool = False  # import the text as a file with CRLF line endings


CASES = {
    "emoji": Case(
        "Launch 🚀 Sergei Lavrov spoke; Launch🚀Kim In Chol answered about 🚀 rockets.",
        [
            Target("Sergei Lavrov", "Sergei Lavrov", "a"),
            Target("Kim In Chol", "Kim In Chol", "a"),  # right after the emoji, no space
            Target("about 🚀 rockets", "about 🚀 rockets", "c"),
        ],
    ),
    "zwj-skin-tone": Case(
        "The 👨🏻‍🚒 Kim In Chol arrived with 👨🏻‍🚒 crews at dawn.",
        [
            Target("Kim In Chol", "Kim In Chol", "a"),
            Target("with 👨🏻‍🚒 crews", "with 👨🏻‍🚒 crews", "c"),
            Target("👨🏻‍🚒 Kim", "👨🏻‍🚒 Kim", "q", graphemes=True),  # starts on the sequence
            Target("with 👨🏻‍🚒", "with 👨🏻‍🚒", "u", graphemes=True),  # ends on it
        ],
    ),
    "flag": Case(
        "Under the 🇺🇦 Ukraine said the 🇺🇦 flag flew.",
        [
            Target("Ukraine said", "Ukraine said", "q"),
            Target("the 🇺🇦 flag", "the 🇺🇦 flag", "c"),
            Target("🇺🇦 Ukraine", "🇺🇦 Ukraine", "a", graphemes=True),
        ],
    ),
    "combining-marks": Case(
        # q + acute and x + dot below + acute have no precomposed form: NFC keeps them;
        # "cafe\u0301" is composed to "café" at import.
        "Write aq\u0301b and x\u0323\u0301 yz in the cafe\u0301 Zurich today.",
        [
            Target("aq\u0301b", "aq\u0301b", "c"),
            Target("x\u0323\u0301 yz", "x\u0323\u0301 yz", "q"),
            Target("caf\u00e9", "caf\u00e9", "a"),
            Target("aq\u0301", "aq\u0301", "u", graphemes=True),  # ends on a combining mark
        ],
    ),
    "right-to-left": Case(
        "قال الوزير إن 700 مليار دولار تنفق سنويا.",
        [
            Target("الوزير", "الوزير", "a", graphemes=True),
            Target("700", "700", "c"),
        ],
    ),
    "html-characters": Case(
        "Tom & Jerry wrote <script>alert(1)</script> and \"quoted\" it's <b>bold</b> <img src=x onerror=alert(2)>.",
        [
            Target("Tom & Jerry", "Tom & Jerry", "a"),
            Target("<script>alert(1)</script>", "<script>alert(1)</script>", "c"),
            Target("\"quoted\" it's", "\"quoted\" it's", "q"),
            Target("<img src=x onerror=alert(2)>", "<img src=x onerror=alert(2)>", "u"),
        ],
    ),
    "spaces-and-tabs": Case(
        "Minister Jong   Ui\t\tYoung said so.",
        [Target("Jong   Ui\t\tYoung", "Jong   Ui\t\tYoung", "a")],
    ),
    "crlf-import": Case(
        "First line of the file.\r\nSecond line names Moon Jae-in twice: Moon Jae-in.\r\n\r\nThird.\r\n",
        [Target("Moon Jae-in", "Moon Jae-in", "a", occurrence=1)],
        crlf=True,
    ),
    "trimmed-selection": Case(
        "Russia's   Sergei Lavrov   replied.",
        [Target("   Sergei Lavrov   ", "Sergei Lavrov", "a")],
    ),
    "across-paragraphs": Case(
        "The first paragraph ends here.\n\nThe second one starts there.",
        [Target("ends here.The second", "ends here.\n\nThe second", "c", paragraphs=2)],
    ),
}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def open_article(page, live_server):
    """Sign ``user`` in (a session cookie, as the login form would set) and open ``article``."""

    def open_article(user, article):
        client = Client()
        client.force_login(user)
        page.context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
        )
        page.goto(f"{live_server.url}/p/{article.project.slug}/a/{article.pk}/")
        assert page.locator("#article").is_visible()

    return open_article


def tag(page, key):
    """Press ``key`` on the current selection; return the id of the span the panel then shows."""
    before = page.evaluate("() => document.querySelector('#panel .panel-inner')?.dataset.span || ''")
    page.keyboard.press(key)
    page.wait_for_function(
        """(before) => {
            const inner = document.querySelector('#panel .panel-inner');
            return (inner && inner.dataset.span !== before) || document.querySelector('#ws-message .message');
        }""",
        arg=before,
    )
    message = page.locator("#ws-message .message")
    assert message.count() == 0, message.inner_text()
    return int(page.get_attribute("#panel .panel-inner", "data-span"))


def drag_over(page, needle, occurrence=0):
    """Drag the mouse from the visual start to the visual end of ``needle``."""
    box = page.evaluate(EDGES, [needle, occurrence])
    assert box, f"“{needle}” is not in the article"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, (box["y1"] + box["y2"]) / 2, steps=3)
    page.mouse.move(box["x2"], box["y2"], steps=3)
    page.mouse.up()
    return page.evaluate("() => getSelection().toString()")


def nth_index(text, needle, occurrence):
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return start


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_selection_becomes_exact_code_point_span(page, open_article, case):
    annotator = make_user("annotator")
    project = make_project(members=[(annotator, Role.ANNOTATOR)])
    if case.crlf:
        article = import_texts(project, [Source(name="crlf.txt", data=case.text.encode())]).created[0]
        assert "\r" not in article.text
    else:
        article = make_article(project, case.text)
    text = article.text

    dialogs = []
    # A selection across a paragraph break is confirmed first (that question is expected).
    page.on("dialog", lambda dialog: dialog.accept() if "paragraph break" in dialog.message
            else (dialogs.append(dialog.message), dialog.dismiss()))
    open_article(annotator, article)

    created = {}
    for target in case.targets:
        drag = drag_over if target.graphemes else select_text
        selected = drag(page, target.needle, occurrence=target.occurrence)
        assert "".join(selected.split()) == "".join(target.needle.split()), "the mouse did not select the target"
        span = Span.objects.get(pk=tag(page, target.key))
        start = nth_index(text, target.expected, target.occurrence)
        assert (span.start, span.end) == (start, start + len(target.expected))
        assert text[span.start:span.end] == span.text == target.expected
        assert span.label.key == target.key
        # The page shows the new mark around exactly that text.
        assert page.locator(f'#article mark[data-span="{span.pk}"]').first.is_visible()
        assert page.evaluate(MARKED_TEXT, span.pk) == target.expected
        assert page.evaluate(PARAGRAPHS_OF, span.pk) == target.paragraphs
        created[span.pk] = target
    assert Span.objects.filter(annotation_set__article=article).count() == len(case.targets)

    # Rendering round-trip: every mark comes back from the server with its text.
    page.reload()
    for span_id, target in created.items():
        assert page.evaluate(MARKED_TEXT, span_id) == target.expected
        assert page.evaluate(PARAGRAPHS_OF, span_id) == target.paragraphs
    # The article's text is shown as it is, character for character, and nothing in it runs.
    shown = page.evaluate("() => [...document.querySelectorAll('#article .t')].map(t => t.textContent).join('')")
    assert shown == text.replace("\n", "")
    visible = page.inner_text("#article")
    assert all(line in visible for target in created.values() for line in target.expected.split("\n"))
    assert page.locator("#article script, #article img, #article b").count() == 0
    assert dialogs == []


def test_a_drag_that_overshoots_the_article_stops_at_its_edge(page, open_article):
    annotator = make_user("annotator")
    project = make_project(members=[(annotator, Role.ANNOTATOR)])
    article = make_article(project, "First paragraph here.\n\nJong Ui Young met Kim In Chol in Moscow on Thursday.")
    open_article(annotator, article)

    # From "Kim" to the right, past the end of the line and into the sidebar.
    kim = page.evaluate(EDGES, ["Kim", 0])
    sidebar = page.locator("#palette").bounding_box()
    page.mouse.move(kim["x1"], kim["y1"])
    page.mouse.down()
    page.mouse.move(sidebar["x"] + sidebar["width"] / 2, kim["y1"], steps=4)
    page.mouse.up()
    span = Span.objects.get(pk=tag(page, "c"))
    assert (span.start, span.end) == (article.text.index("Kim"), len(article.text))
    assert span.text == "Kim In Chol in Moscow on Thursday."

    # From the title above the article down to the end of "paragraph".
    title = page.evaluate(
        """() => { const r = document.createRange(); r.selectNodeContents(document.querySelector('h1'));
                   const b = r.getClientRects()[0]; return {x: b.left + 2, y: b.top + b.height / 2}; }"""
    )
    word = page.evaluate(EDGES, ["paragraph", 0])
    page.mouse.move(title["x"], title["y"])
    page.mouse.down()
    page.mouse.move(word["x2"], word["y2"], steps=4)
    page.mouse.up()
    assert page.evaluate("() => getSelection().toString()").endswith("\n\nFirst paragraph")
    span = Span.objects.get(pk=tag(page, "q"))
    assert (span.start, span.end, span.text) == (0, 15, "First paragraph")
    assert page.evaluate(MARKED_TEXT, span.pk) == "First paragraph"

