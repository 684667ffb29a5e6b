// Factmark workspace: the little htmx cannot do — turning a text selection into
// code-point offsets, and keyboard shortcuts.  Everything else is htmx.
(function () {
  "use strict";

  const ws = document.getElementById("workspace");
  if (!ws) return;
  const article = document.getElementById("article");
  const panel = document.getElementById("panel");
  const labelKeys = JSON.parse(document.getElementById("label-keys").textContent);
  const editable = ws.dataset.editable === "1";
  const snap = ws.dataset.snap === "1";

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

  // ------------------------------------------------------------ actions

  function say(text) {
    const box = document.getElementById("ws-message");
    box.replaceChildren();
    const p = document.createElement("p");
    p.className = "message error";
    p.setAttribute("role", "alert");
    p.textContent = text;
    box.appendChild(p);
  }

  let pending = false;
  function tag(labelId) {
    if (!editable) return say("This article is submitted; reopen it to make changes.");
    const picked = currentSelection();
    if (!picked) return say("Select some text in the article first.");
    if (pending) return;
    pending = true;
    document.getElementById("ws-message").replaceChildren();
    htmx.ajax("POST", ws.dataset.createUrl, {
      target: "#panel",
      swap: "innerHTML",
      values: { label: labelId, start: picked.start, end: picked.end, text: picked.text },
    }).then(function () {
      window.getSelection().removeAllRanges();
    }, function () {}).finally(function () { // a failed request is reported by the htmx:sendError handler
      pending = false;
    });
  }

  function openSpan(spanId) {
    htmx.ajax("GET", ws.dataset.panelUrl.replace("/0/", "/" + spanId + "/"), { target: "#panel", swap: "innerHTML" });
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
    const at = marks.indexOf(document.activeElement);
    const next = at === -1 ? (step > 0 ? 0 : marks.length - 1) : (at + step + marks.length) % marks.length;
    marks[next].focus();
    marks[next].scrollIntoView({ block: "nearest" });
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
  // focusable mark that follows other text and stays inside it (tagging an
  // actor at the start of a claim), so marks are not focusable while the
  // button is down.  A click still focuses the span: see below.
  article.addEventListener("mousedown", function (e) {
    if (e.button !== 0) return;
    const held = [];
    for (let el = e.target.closest("mark[tabindex]"); el; el = el.parentElement.closest("mark[tabindex]")) {
      el.removeAttribute("tabindex");
      held.push(el);
    }
    if (!held.length) return;
    window.addEventListener("mouseup", function () {
      for (const el of held) el.setAttribute("tabindex", "0");
    }, { capture: true, once: true });
  });

  article.addEventListener("click", function (e) {
    const sel = window.getSelection();
    if (sel && !sel.isCollapsed) return; // finishing a selection, not a click
    const mark = e.target.closest("mark[data-span]");
    if (!mark) return;
    const first = firstMark(mark.dataset.span);
    if (first) first.focus({ preventScroll: true });
    openSpan(mark.dataset.span);
  });

  document.addEventListener("click", function (e) {
    const link = e.target.closest("[data-goto]");
    if (link) {
      e.preventDefault();
      showSpan(link.dataset.goto);
    }
    if (e.target.closest(".close-panel")) panel.replaceChildren();
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

  document.addEventListener("keydown", function (e) {
    const t = e.target;
    const typing = t.closest && t.closest("input, textarea, select, [contenteditable]");
    // Ctrl+Enter (Cmd+Enter on a Mac): submit this article and open the next one.
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && !e.altKey && !typing) {
      const submitNext = document.getElementById("submit-next");
      if (submitNext) { e.preventDefault(); submitNext.click(); }
      return;
    }
    if (typing || e.ctrlKey || e.metaKey || e.altKey) {
      if (e.key === "Escape" && typing) t.blur();
      return;
    }
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (e.key === "?") {
      e.preventDefault();
      const dialog = document.getElementById("shortcuts");
      dialog.open ? dialog.close() : dialog.showModal();
    } else if (e.key === "Escape") {
      window.getSelection().removeAllRanges();
      panel.replaceChildren();
      if (focusedSpan()) document.activeElement.blur();
    } else if (Object.prototype.hasOwnProperty.call(labelKeys, key) && !e.shiftKey) {
      const sel = window.getSelection();
      if (sel && !sel.isCollapsed) {
        e.preventDefault();
        tag(labelKeys[key]);
      }
    } else if (e.key === "Tab" && (article.contains(t) || t === document.body)) {
      e.preventDefault();
      moveFocus(e.shiftKey ? -1 : 1);
    } else if ((e.key === "Delete" || e.key === "Backspace") && focusedSpan()) {
      e.preventDefault();
      const id = focusedSpan();
      moveFocus(1);
      deleteSpan(id, focusedSpan() === id ? null : focusedSpan());
    } else if (e.key === "Enter" && focusedSpan()) {
      e.preventDefault();
      openSpan(focusedSpan());
    }
  });
})();
