"""What a person does in the workspace, as Playwright steps."""


def select_text(page, needle, *, occurrence=0):
    """Drag the mouse across the ``occurrence``-th appearance of ``needle`` in the article.

    The text is found in the page's own text nodes, then the pointer presses at the
    first character's left edge and releases at the last character's right edge,
    as a person would.
    """
    box = page.evaluate(
        """([needle, occurrence]) => {
            const article = document.getElementById('article');
            // Join the text nodes so a needle spanning several of them is found.
            const nodes = [];
            const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
            let all = '';
            while (walker.nextNode()) { nodes.push([walker.currentNode, all.length]); all += walker.currentNode.data; }
            let at = -1;
            for (let k = 0; k <= occurrence; k++) { at = all.indexOf(needle, at + 1); if (at < 0) return null; }
            const locate = (pos) => {
                for (let k = nodes.length - 1; k >= 0; k--) if (nodes[k][1] <= pos) return [nodes[k][0], pos - nodes[k][1]];
            };
            const [sn, so] = locate(at);
            const [en, eo] = locate(at + needle.length - 1);
            const r1 = document.createRange(); r1.setStart(sn, so); r1.setEnd(sn, so + 1);
            const lastLen = (eo + 1 < en.data.length && /[\\uD800-\\uDBFF]/.test(en.data[eo])) ? 2 : 1;
            const r2 = document.createRange(); r2.setStart(en, eo); r2.setEnd(en, Math.min(eo + lastLen, en.data.length));
            r1.startContainer.parentElement.scrollIntoView({block: 'center'});
            const a = r1.getClientRects()[0], b = [...r2.getClientRects()].pop();
            return {x1: a.left + 0.5, y1: a.top + a.height / 2, x2: b.right - 0.5, y2: b.top + b.height / 2};
        }""",
        [needle, occurrence],
    )
    assert box, f"“{needle}” is not in the article"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, (box["y1"] + box["y2"]) / 2, steps=3)
    page.mouse.move(box["x2"], box["y2"], steps=3)
    page.mouse.up()
    selected = page.evaluate("() => getSelection().toString()")
    return selected
