// Factmark workspace: the little htmx cannot do — turning a text selection into
// code-point offsets, the caret and selection from the keyboard, and the keys.
// Everything that reads or writes annotations is htmx (htmx.ajax for the keys).
(function () {
  "use strict";

  const ws = document.getElementById("workspace");
  if (!ws) return;
  const article = document.getElementById("article");
  const panel = document.getElementById("panel");
  const labelKeys = JSON.parse(document.getElementById("label-keys").textContent);
  const editable = ws.dataset.editable === "1";
  const snap = ws.dataset.snap === "1";
  const schema = JSON.parse(document.getElementById("label-schema").textContent);
  const reader = document.getElementById("reader");
  const caretBox = document.getElementById("caret");
  const overlay = document.getElementById("links-overlay");

  // ------------------------------------------------------------ offsets
  // The server counts code points; the DOM counts UTF-16 units.  Every text
  // node of the article sits in a <span class="t" data-o="N">, N being the
  // code-point offset of its first character.

  function cpLength(s) {
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
      n++;
    }
    return n;
  }

  function segmentOf(node) {
    const el = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    return el && el.closest ? el.closest(".t") : null;
  }

  // Offset of a DOM point (node, offset) in code points, or null when the article
  // has no text.  A point outside the article (a drag that overshot it into the
  // title or the sidebar) counts as the article's start or end.
  function pointOffset(node, offset) {
    if (!article.contains(node)) {
      const start = document.createRange();
      start.setStart(article, 0);
      return start.comparePoint(node, offset) < 0 ? pointOffset(article, 0) : pointOffset(article, article.childNodes.length);
    }
    if (node.nodeType === Node.TEXT_NODE) {
      const seg = segmentOf(node);
      if (seg) return Number(seg.dataset.o) + cpLength(node.data.slice(0, offset));
      // Layout whitespace between paragraphs: the place before or after it.
      const parent = node.parentNode;
      return pointOffset(parent, Array.prototype.indexOf.call(parent.childNodes, node) + (offset > 0 ? 1 : 0));
    }
    const segs = Array.from(node.querySelectorAll ? node.querySelectorAll(".t") : []);
    const own = segmentOf(node);
    if (own) segs.push(own);
    if (!segs.length) return null;
    // The first segment at or after the point, else the end of the last one.
    const range = document.createRange();
    range.setStart(node, offset);
    for (const seg of segs) {
      if (range.comparePoint(seg, 0) >= 0) return Number(seg.dataset.o);
    }
    const last = segs[segs.length - 1];
    return Number(last.dataset.o) + cpLength(last.textContent);
  }

  // The article's text as an array of code points, rebuilt from the segments.
  function articleChars() {
    const chars = [];
    for (const seg of article.querySelectorAll(".t")) {
      const o = Number(seg.dataset.o);
      while (chars.length < o) chars.push("\n"); // paragraph breaks are newlines
      for (const ch of seg.textContent) chars.push(ch);
    }
    return chars;
  }

  const SPACE = /^\s$/u;
  const WORD = /^[\p{L}\p{N}\p{M}_'’-]$/u;

  function currentSelection() {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    const range = sel.getRangeAt(0);
    let start = pointOffset(range.startContainer, range.startOffset);
    let end = pointOffset(range.endContainer, range.endOffset);
    if (start === null || end === null) return null;
    if (end < start) [start, end] = [end, start];
    const chars = articleChars();
    end = Math.min(end, chars.length);
    while (start < end && SPACE.test(chars[start])) start++;
    while (end > start && SPACE.test(chars[end - 1])) end--;
    if (snap) {
      while (start > 0 && WORD.test(chars[start - 1]) && WORD.test(chars[start])) start--;
      while (end < chars.length && WORD.test(chars[end]) && WORD.test(chars[end - 1])) end++;
    }
    if (end <= start) return null;
    return { start: start, end: end, text: chars.slice(start, end).join("") };
  }

  // ------------------------------------------------------------ offsets to DOM points

  // The DOM point (text node, UTF-16 offset) at code point ``cp``.
  function domPoint(cp) {
    let last = null;
    for (const seg of article.querySelectorAll(".t")) {
      const o = Number(seg.dataset.o);
      const node = seg.firstChild;
      if (!node) continue;
      const len = cpLength(node.data);
      if (cp < o) return { node: node, offset: 0 };
      if (cp <= o + len) {
        let units = 0;
        let n = cp - o;
        for (const ch of node.data) { if (n-- <= 0) break; units += ch.length; }
        return { node: node, offset: units };
      }
      last = node;
    }
    return last ? { node: last, offset: last.data.length } : null;
  }

  // ------------------------------------------------------------ the caret and the keyboard selection

  let caret = null;   // code point where the caret is (the selection's moving end)
  let anchor = null;  // the selection's fixed end, or null for a bare caret
  let charsCache = null;
  function chars() { return charsCache || (charsCache = articleChars()); }

  function isWord(i) { const c = chars()[i]; return c !== undefined && WORD.test(c); }
  function nextWordStart(p) {
    const n = chars().length;
    while (p < n && isWord(p)) p++;
    while (p < n && !isWord(p)) p++;
    return p;
  }
  function nextWordEnd(p) {
    const n = chars().length;
    while (p < n && !isWord(p)) p++;
    while (p < n && isWord(p)) p++;
    return p;
  }
  function prevWordEnd(p) {
    while (p > 0 && isWord(p - 1)) p--;
    while (p > 0 && !isWord(p - 1)) p--;
    return p;
  }
  function prevWordStart(p) {
    while (p > 0 && !isWord(p - 1)) p--;
    while (p > 0 && isWord(p - 1)) p--;
    return p;
  }

  function showCaret() {
    window.getSelection().removeAllRanges();
    if (anchor !== null && anchor !== caret) {
      const a = domPoint(Math.min(anchor, caret));
      const b = domPoint(Math.max(anchor, caret));
      if (a && b) {
        const sel = window.getSelection();
        if (anchor <= caret) sel.setBaseAndExtent(a.node, a.offset, b.node, b.offset);
        else sel.setBaseAndExtent(b.node, b.offset, a.node, a.offset);
      }
    }
    placeCaret();
  }

  function placeCaret() {
    const point = caret === null ? null : domPoint(caret);
    if (!point || !article.contains(document.activeElement) && document.activeElement !== article) {
      caretBox.hidden = true;
      return;
    }
    const range = document.createRange();
    range.setStart(point.node, point.offset);
    range.collapse(true);
    let rect = range.getClientRects()[0];
    if (!rect) {
      const r2 = document.createRange();
      r2.setStart(point.node, Math.max(0, point.offset - 1));
      r2.setEnd(point.node, point.offset);
      const r = r2.getClientRects();
      rect = r.length ? { left: r[r.length - 1].right, top: r[r.length - 1].top, height: r[r.length - 1].height } : null;
    }
    if (!rect) { caretBox.hidden = true; return; }
    const base = reader.getBoundingClientRect();
    caretBox.hidden = false;
    caretBox.style.left = (rect.left - base.left) + "px";
    caretBox.style.top = (rect.top - base.top) + "px";
    caretBox.style.height = rect.height + "px";
  }

  // Arrow keys in the article: a word at a time, a character with Ctrl or Alt.
  function arrow(e) {
    const right = e.key === "ArrowRight";
    const byChar = e.ctrlKey || e.altKey;
    const n = chars().length;
    if (caret === null) caret = startOfFocus();
    if (e.shiftKey) {
      if (anchor === null) anchor = caret;
      if (byChar) caret = Math.max(0, Math.min(n, caret + (right ? 1 : -1)));
      else if (right) caret = caret < anchor ? Math.min(nextWordStart(caret), anchor) : nextWordEnd(caret);
      else caret = caret > anchor ? Math.max(prevWordEnd(caret), anchor) : prevWordStart(caret);
    } else {
      anchor = null;
      if (byChar) caret = Math.max(0, Math.min(n, caret + (right ? 1 : -1)));
      else caret = right ? nextWordStart(caret) : prevWordStart(caret);
    }
    if (document.activeElement !== article) article.focus({ preventScroll: true });
    showCaret();
    const point = domPoint(caret);
    if (point && point.node.parentElement) point.node.parentElement.scrollIntoView({ block: "nearest" });
  }

  function startOfFocus() {
    const id = focusedSpan();
    if (id) return markStart(firstMark(id));
    const first = article.querySelector(".t");
    return first ? Number(first.dataset.o) : 0;
  }

  function markStart(mark) {
    const seg = mark && mark.querySelector(".t");
    return seg ? Number(seg.dataset.o) : 0;
  }

  // ------------------------------------------------------------ "/": find text, select it

  const findBar = document.getElementById("find-bar");
  const findInput = document.getElementById("find-q");
  let found = null;

  function findFrom(query, from) {
    const want = Array.from(query.toLowerCase());
    const all = chars();
    if (!want.length) return null;
    for (let pass = 0; pass < 2; pass++) {  // after the caret, then from the top
      const lo = pass === 0 ? from : 0;
      const hi = pass === 0 ? all.length : Math.min(from, all.length);
      for (let i = lo; i + want.length <= all.length && i < hi; i++) {
        let k = 0;
        while (k < want.length && all[i + k].toLowerCase() === want[k]) k++;
        if (k === want.length) return { start: i, end: i + want.length };
      }
    }
    return null;
  }

  function openFind() {
    findBar.hidden = false;
    findInput.value = "";
    found = null;
    findInput.focus();
  }

  function closeFind(select) {
    findBar.hidden = true;
    article.focus({ preventScroll: true });
    if (select && found) {
      anchor = found.start;
      caret = found.end;
    }
    showCaret();
  }

  if (findInput) findInput.addEventListener("input", function () {
    found = findFrom(findInput.value, caret === null ? 0 : caret);
    findInput.classList.toggle("not-found", !found && findInput.value !== "");
    if (found) {
      const point = domPoint(found.start);
      if (point && point.node.parentElement) point.node.parentElement.scrollIntoView({ block: "nearest" });
    }
  });
  if (findInput) findInput.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); closeFind(true); }
    else if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); closeFind(false); }
  });

  // ------------------------------------------------------------ actions

  function say(text, level) {
    const box = document.getElementById("ws-message");
    box.replaceChildren();
    const p = document.createElement("p");
    p.className = "message " + (level || "error");
    p.setAttribute("role", "alert");
    p.textContent = text;
    box.appendChild(p);
  }

  function panelSpan() {
    const inner = panel.querySelector(".panel-inner");
    return inner ? inner.dataset.span : null;
  }

  let pending = false;
  function tag(labelId) {
    if (!editable) return say("This article is submitted; reopen it to make changes.");
    const picked = currentSelection();
    if (!picked) return say("Select some text in the article first.");
    if (pending) return;
    if (picked.text.indexOf("\n") !== -1 &&
        !window.confirm("The selection runs across a paragraph break. Tag it as one span anyway?")) return;
    pending = true;
    document.getElementById("ws-message").replaceChildren();
    htmx.ajax("POST", ws.dataset.createUrl, {
      target: "#panel",
      swap: "innerHTML",
      values: { label: labelId, start: picked.start, end: picked.end, text: picked.text },
    }).then(function () {
      window.getSelection().removeAllRanges();
      anchor = null;
      caret = picked.end;
      const id = panelSpan();
      const mark = id && firstMark(id);
      if (mark) mark.focus({ preventScroll: true });
      placeCaret();
    }, function () {}).finally(function () { // a failed request is reported by the htmx:sendError handler
      pending = false;
    });
  }

  // Panel saves in flight: a span opened meanwhile waits for them, so a late answer
  // never paints the previous span over it.
  let saving = 0;
  let afterSaves = [];
  function whenSaved(fn) { if (saving) afterSaves.push(fn); else fn(); }

  function openSpan(spanId, intoPanel) {
    return new Promise(function (resolve) {
      whenSaved(function () {
        htmx.ajax("GET", ws.dataset.panelUrl.replace("/0/", "/" + spanId + "/"), { target: "#panel", swap: "innerHTML" })
          .then(function () {
            if (intoPanel) focusIntoPanel();
            resolve();
          }, resolve);
      });
    });
  }

  function focusIntoPanel() {
    const inner = panel.querySelector(".panel-inner");
    if (!inner) return;
    const first = inner.querySelector(".panel-body select, .panel-body input:not([type=hidden]), .panel-body textarea, .panel-body button");
    (first || inner).focus();
  }

  function closePanel() {
    const id = panelSpan();
    const form = document.getElementById("span-form");
    const field = document.activeElement;
    // A note typed and not yet saved (text fields save when they lose focus) is saved now.
    if (form && field && form.contains(field) && (field.tagName === "TEXTAREA" || field.type === "text") &&
        field.value !== field.defaultValue) {
      htmx.ajax("POST", form.getAttribute("hx-post"), { source: form, target: "#panel", swap: "none" });
    }
    panel.replaceChildren();
    if (id) {
      const mark = firstMark(id);
      if (mark) mark.focus({ preventScroll: true });
    }
  }

  function firstMark(spanId) {
    return article.querySelector('mark[data-span="' + spanId + '"][tabindex]') ||
      article.querySelector('mark[data-span="' + spanId + '"]');
  }

  function showSpan(spanId) {
    const mark = firstMark(spanId);
    if (!mark) return;
    mark.scrollIntoView({ block: "center", behavior: "smooth" });
    mark.focus({ preventScroll: true });
    openSpan(spanId);
  }

  function focusedSpan() {
    const el = document.activeElement;
    return el && el.matches && el.matches("mark[data-span]") ? el.dataset.span : null;
  }

  function spanLabel(mark) {
    const m = / l(\d+) /.exec(" " + mark.className + " ");
    return m ? Number(m[1]) : null;
  }

  // Delete a span; ``nextId`` gets the focus back if the swap took it away.
  function deleteSpan(spanId, nextId) {
    if (!editable) return;
    htmx.ajax("POST", ws.dataset.deleteUrl.replace("/0/", "/" + spanId + "/"), { target: "#panel", swap: "innerHTML" })
      .then(function () {
        const next = nextId && firstMark(nextId);
        if (next && (!document.activeElement || document.activeElement === document.body)) {
          next.focus({ preventScroll: true });
        }
      }, function () {}); // a failed request is reported by the htmx:sendError handler
  }

  function moveFocus(step) {
    const marks = Array.from(article.querySelectorAll("mark[tabindex]"));
    if (!marks.length) return;
    let at = marks.indexOf(document.activeElement);
    if (at === -1 && caret !== null) {
      // From the caret: the first span after it (or before it, going back).
      const after = marks.findIndex(function (m) { return markStart(m) >= caret; });
      at = step > 0 ? (after === -1 ? marks.length : after) - 1 : (after === -1 ? marks.length : after);
    }
    const next = at === -1 && step < 0 ? marks.length - 1 : (at + step + marks.length) % marks.length;
    marks[next].focus();
    marks[next].scrollIntoView({ block: "nearest" });
    anchor = null;
    caret = markStart(marks[next]);
  }

  // ------------------------------------------------------------ verdict keys

  function setVerdict(spanId, digit) {
    const mark = firstMark(spanId);
    const choices = mark && schema.verdicts[spanLabel(mark)];
    if (!choices || digit < 1 || digit > choices.length || !editable) return false;
    const apply = function () {
      const select = document.getElementById("attr-verdict");
      if (!select || panelSpan() !== String(spanId)) return;
      select.value = choices[digit - 1];
      select.dispatchEvent(new Event("change", { bubbles: true }));
    };
    if (panelSpan() === String(spanId)) apply();
    else openSpan(spanId).then(apply);
    return true;
  }

  // ------------------------------------------------------------ linking from the text

  let linking = null; // {span, modes, at, candidates}

  function existingRelations(spanId) {
    return Array.from(document.querySelectorAll("#relation-items li")).filter(function (li) {
      return li.dataset.source === String(spanId) || li.dataset.target === String(spanId);
    });
  }

  function linkModes(mark) {
    const label = spanLabel(mark);
    const modes = [];
    const types = schema.relations.slice().sort(function (a, b) { return a.id - b.id; }); // as the schema lists them
    for (const t of types) {
      if (t.source === label) modes.push({ type: t, out: true, other: t.target });
    }
    for (const t of types) {
      if (t.target === label) modes.push({ type: t, out: false, other: t.source });
    }
    return modes;
  }

  function startLink(spanId) {
    const mark = firstMark(spanId);
    if (!mark || !editable) return;
    if (linking && linking.span === spanId) return nextLinkMode();
    const modes = linkModes(mark);
    if (!modes.length) return say("Nothing links to or from a " + schema.names[spanLabel(mark)] + " span.", "notice");
    // Start with the first type this span has no link of yet.
    const have = existingRelations(spanId).map(function (li) { return li.dataset.type + (li.dataset.source === String(spanId)); });
    let at = modes.findIndex(function (m) { return have.indexOf(m.type.name + m.out) === -1; });
    linking = { span: spanId, modes: modes, at: at === -1 ? 0 : at, candidates: [] };
    showCandidates();
  }

  function nextLinkMode() {
    linking.at = (linking.at + 1) % linking.modes.length;
    showCandidates();
  }

  function showCandidates() {
    clearBadges();
    const source = firstMark(linking.span);
    const from = markStart(source);
    const mode = linking.modes[linking.at];
    const marks = Array.from(article.querySelectorAll("mark[tabindex].l" + mode.other))
      .filter(function (m) { return m.dataset.span !== linking.span; });
    marks.sort(function (a, b) { return Math.abs(markStart(a) - from) - Math.abs(markStart(b) - from); });
    linking.candidates = marks.slice(0, 9);
    if (linking.candidates.length) linking.candidates[0].scrollIntoView({ block: "nearest" });
    const base = reader.getBoundingClientRect();
    linking.candidates.forEach(function (m, i) {
      m.classList.add("candidate");
      const badge = document.createElement("span");
      badge.className = "link-badge";
      badge.textContent = String(i + 1);
      const r = m.getClientRects()[0];
      badge.style.left = (r.left - base.left - 4) + "px";
      badge.style.top = (r.top - base.top - 12) + "px";
      reader.appendChild(badge);
    });
    const hint = document.getElementById("link-hint");
    const name = schema.names[mode.other];
    const what = mode.out ? "“" + mode.type.name + "” → " + name : name + " → “" + mode.type.name + "” → this span";
    hint.textContent = linking.candidates.length
      ? "Link " + what + ": press " + (linking.candidates.length > 1 ? "1–" : "") + linking.candidates.length + " or click a numbered span" +
        (linking.modes.length > 1 ? "; l: next type" : "") + "; Esc: cancel."
      : "Link " + what + ": no " + name + " span in the text yet" + (linking.modes.length > 1 ? "; l: next type" : "") + "; Esc: cancel.";
    hint.hidden = false;
  }

  function clearBadges() {
    for (const b of reader.querySelectorAll(".link-badge")) b.remove();
    for (const m of article.querySelectorAll("mark.candidate")) m.classList.remove("candidate");
  }

  function stopLink() {
    clearBadges();
    linking = null;
    const hint = document.getElementById("link-hint");
    hint.hidden = true;
    hint.textContent = "";
  }

  function pickCandidate(mark) {
    const mode = linking.modes[linking.at];
    const spanId = linking.span;
    const values = mode.out
      ? { type: mode.type.id, source: spanId, target: mark.dataset.span }
      : { type: mode.type.id, source: mark.dataset.span, target: spanId };
    stopLink();
    whenSaved(function () {
      htmx.ajax("POST", ws.dataset.relationUrl, { target: "#panel", swap: "innerHTML", values: values }).then(function () {
        const back = firstMark(spanId);
        if (back) back.focus({ preventScroll: true });
      }, function () {});
    });
  }

  // ------------------------------------------------------------ relations drawn on hover and focus

  const SVG = "http://www.w3.org/2000/svg";
  function centre(mark, base) {
    const r = mark.getClientRects()[0] || mark.getBoundingClientRect();
    return { x: r.left - base.left + Math.min(r.width, 40) / 2, y: r.bottom - base.top };
  }

  function drawLinks(spanId) {
    clearLinks();
    const from = firstMark(spanId);
    if (!from) return;
    const base = overlay.getBoundingClientRect();
    for (const li of existingRelations(spanId)) {
      const otherId = li.dataset.source === String(spanId) ? li.dataset.target : li.dataset.source;
      const other = firstMark(otherId);
      if (!other) continue;
      other.classList.add("linked-end");
      const a = centre(from, base);
      const b = centre(other, base);
      const lift = Math.max(24, Math.abs(b.x - a.x) / 4);
      const path = document.createElementNS(SVG, "path");
      path.setAttribute("d", "M" + a.x + "," + a.y + " C" + a.x + "," + (a.y + lift) + " " + b.x + "," + (b.y + lift) + " " + b.x + "," + b.y);
      path.setAttribute("class", "link-line");
      overlay.appendChild(path);
      const text = document.createElementNS(SVG, "text");
      text.setAttribute("x", String((a.x + b.x) / 2));
      text.setAttribute("y", String(Math.max(a.y, b.y) + lift * 0.75 + 4));
      text.setAttribute("class", "link-name");
      text.textContent = li.dataset.type;
      overlay.appendChild(text);
    }
  }

  function clearLinks() {
    overlay.replaceChildren();
    for (const m of article.querySelectorAll("mark.linked-end")) m.classList.remove("linked-end");
  }

  // ------------------------------------------------------------ undo and redo

  function undoRedo(redo) {
    if (!editable) return;
    stopLink();
    whenSaved(function () {
      htmx.ajax("POST", redo ? ws.dataset.redoUrl : ws.dataset.undoUrl, { target: "#ws-message", swap: "innerHTML" })
        .then(function () {
          const note = document.querySelector("#ws-message [data-focus]");
          const id = note && note.dataset.focus;
          const mark = id && firstMark(id);
          if (mark) {
            mark.focus({ preventScroll: true });
            if (panelSpan()) openSpan(id);
          } else if (panelSpan() && !firstMark(panelSpan())) {
            panel.replaceChildren();
          }
        }, function () {});
    });
  }

  // ------------------------------------------------------------ events

  // Keep the text selection when a palette button is pressed.
  document.getElementById("palette").addEventListener("mousedown", function (e) {
    if (e.target.closest(".label-btn")) e.preventDefault();
  });
  document.getElementById("palette").addEventListener("click", function (e) {
    const button = e.target.closest(".label-btn");
    if (button) tag(button.dataset.label);
  });

  // Chromium selects nothing when a drag starts on the first character of a
  // focusable element that follows other text and stays inside it (tagging an
  // actor at the start of a claim), so neither the marks nor the article are
  // focusable while the button is down.  A click still focuses the span: see below.
  article.addEventListener("mousedown", function (e) {
    if (e.button !== 0) return;
    const held = [];
    for (let el = e.target.closest("mark[tabindex]"); el; el = el.parentElement.closest("mark[tabindex]")) {
      held.push([el, el.getAttribute("tabindex")]);
      el.removeAttribute("tabindex");
    }
    held.push([article, "0"]);
    article.removeAttribute("tabindex");
    window.addEventListener("mouseup", function () {
      for (const [el, value] of held) el.setAttribute("tabindex", value);
      const sel = window.getSelection();
      if (sel && sel.rangeCount && article.contains(sel.anchorNode)) {
        anchor = null;
        caret = pointOffset(sel.focusNode, sel.focusOffset);
      }
    }, { capture: true, once: true });
  });

  article.addEventListener("click", function (e) {
    const sel = window.getSelection();
    if (sel && !sel.isCollapsed) return; // finishing a selection, not a click
    const mark = e.target.closest("mark[data-span]");
    if (!mark) return;
    const first = firstMark(mark.dataset.span);
    if (linking) {
      const picked = linking.candidates.find(function (m) { return m.dataset.span === mark.dataset.span; }) ||
        linking.candidates.find(function (m) { return m.contains(e.target); });
      if (picked) { pickCandidate(picked); return; }
    }
    if (first) first.focus({ preventScroll: true });
    openSpan(mark.dataset.span);
  });

  article.addEventListener("focusin", function (e) {
    const mark = e.target.closest && e.target.closest("mark[data-span]");
    if (mark) drawLinks(mark.dataset.span);
    if (caret === null) caret = startOfFocus();
    placeCaret();
  });
  article.addEventListener("focusout", function () {
    clearLinks();
    caretBox.hidden = true;
  });
  article.addEventListener("mouseover", function (e) {
    const mark = e.target.closest("mark[data-span]");
    if (mark) drawLinks(mark.dataset.span);
  });
  article.addEventListener("mouseleave", function () {
    const id = focusedSpan();
    if (id) drawLinks(id); else clearLinks();
  });

  document.addEventListener("click", function (e) {
    const link = e.target.closest("[data-goto]");
    if (link) {
      e.preventDefault();
      showSpan(link.dataset.goto);
    }
    if (e.target.closest(".close-panel")) closePanel();
    if (e.target.closest("#checklist-close")) document.getElementById("ws-message").replaceChildren();
  });

  // Panel saves: count them, and say "Saving…" until the answer is on the page.  The
  // count follows the request itself: the element that sent it may be gone by then.
  document.body.addEventListener("htmx:beforeRequest", function (e) {
    if (!panel.contains(e.detail.elt) || e.detail.requestConfig.verb !== "post") return;
    saving++;
    const state = panel.querySelector(".save-state");
    if (state) state.textContent = "Saving…";
    e.detail.xhr.addEventListener("loadend", function () {
      // After htmx has swapped the answer in (it does so on "load", before "loadend").
      window.setTimeout(function () {
        saving = Math.max(0, saving - 1);
        if (!saving) {
          const waiting = afterSaves;
          afterSaves = [];
          for (const fn of waiting) fn();
        }
      }, 0);
    });
  });

  // A span re-rendered under the focus keeps it: the same span is focused again.
  let focusBeforeSwap = null;
  document.body.addEventListener("htmx:beforeSwap", function () {
    focusBeforeSwap = focusedSpan() || (document.activeElement === article ? "article" : null);
  });
  document.body.addEventListener("htmx:afterSwap", function () {
    const el = document.activeElement;
    if (focusBeforeSwap && (!el || el === document.body)) {
      const back = focusBeforeSwap === "article" ? article : firstMark(focusBeforeSwap);
      if (back) back.focus({ preventScroll: true });
    }
    focusBeforeSwap = null;
  });

  // After any swap: the text changed (caret and word cache), and the sidebar's counts
  // follow its lists.
  document.body.addEventListener("htmx:afterSettle", function () {
    charsCache = null;
    for (const list of document.querySelectorAll("ul[id^='list-label-']")) {
      const count = document.getElementById("count-label-" + list.id.slice("list-label-".length));
      if (count) count.textContent = String(list.children.length);
    }
    const id = focusedSpan();
    if (id) drawLinks(id);
  });

  // htmx shows 409 and 422 answers itself; any other failure would pass unseen.
  document.body.addEventListener("htmx:responseError", function (e) {
    say("That did not work (the server answered " + e.detail.xhr.status + "). Reload the page and try again.");
  });
  document.body.addEventListener("htmx:sendError", function () {
    say("The server could not be reached; nothing was saved. Check the connection and try again.");
  });

  document.getElementById("show-help").addEventListener("click", function () {
    document.getElementById("shortcuts").showModal();
  });

  function inArticle(t) {
    return t === article || article.contains(t) || t === document.body;
  }

  function onEscape(t) {
    if (linking) return stopLink();
    const sel = window.getSelection();
    const hadSelection = sel && !sel.isCollapsed;
    if (hadSelection) { sel.removeAllRanges(); anchor = null; }
    if (panel.contains(t) || panelSpan()) closePanel();
    else if (!hadSelection && focusedSpan()) article.focus({ preventScroll: true });
    placeCaret();
  }

  function onSpanKey(e, key, id) {
    if (/^[1-9]$/.test(key)) {
      if (linking) {
        const pick = linking.candidates[Number(key) - 1];
        if (pick) pickCandidate(pick);
        return true;
      }
      return setVerdict(id, Number(key));
    }
    if (key === "l") { startLink(id); return true; }
    if (e.key === "Enter") { openSpan(id, true); return true; }
    if (e.key === "Delete" || e.key === "Backspace") {
      moveFocus(1);
      deleteSpan(id, focusedSpan() === id ? null : focusedSpan());
      return true;
    }
    return false;
  }

  function onArticleKey(e, key) {
    const inText = e.target !== document.body;  // ↓ and ↑ scroll the page when nothing is focused
    if (key === "j" || (key === "ArrowDown" && inText)) { moveFocus(1); return true; }
    if (key === "k" || (key === "ArrowUp" && inText)) { moveFocus(-1); return true; }
    return false;
  }

  document.addEventListener("keydown", function (e) {
    const t = e.target;
    const typing = t.closest && t.closest("input, textarea, select, [contenteditable]");
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    // Ctrl+Enter (Cmd+Enter on a Mac): submit this article and open the next one.
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && !e.altKey && !typing) {
      const submitNext = document.getElementById("submit-next");
      if (submitNext) { e.preventDefault(); submitNext.click(); }
      return;
    }
    if (key === "z" && (e.ctrlKey || e.metaKey) && !e.altKey && !typing) {
      e.preventDefault();
      undoRedo(e.shiftKey);
      return;
    }
    if (e.key === "Escape") {
      if (document.getElementById("shortcuts").open) return;
      if (typing && !panel.contains(t)) { t.blur(); return; }
      e.preventDefault();
      onEscape(t);
      return;
    }
    if (typing) return;
    // Shift+Tab from a span leaves the article: the browser goes on from the article itself.
    if (e.key === "Tab" && e.shiftKey && focusedSpan()) { article.focus({ preventScroll: true }); return; }
    if ((e.key === "ArrowLeft" || e.key === "ArrowRight") && (t === article || article.contains(t))) {
      e.preventDefault();
      arrow(e);
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "/" && editable && findInput) {
      e.preventDefault();
      openFind();
      return;
    }
    if (e.key === "?") {
      e.preventDefault();
      const dialog = document.getElementById("shortcuts");
      dialog.open ? dialog.close() : dialog.showModal();
      return;
    }
    if (Object.prototype.hasOwnProperty.call(labelKeys, key) && !e.shiftKey) {
      const sel = window.getSelection();
      if (sel && !sel.isCollapsed) {
        e.preventDefault();
        tag(labelKeys[key]);
        return;
      }
    }
    const id = focusedSpan();
    if (id && onSpanKey(e, key, id)) { e.preventDefault(); return; }
    if (inArticle(t) && !e.shiftKey && onArticleKey(e, key)) e.preventDefault();
  });

  window.addEventListener("resize", function () { placeCaret(); if (linking) showCandidates(); });
})();
