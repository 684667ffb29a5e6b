// Factmark review page: keyboard shortcuts over the list of disagreements.
// Decisions themselves are plain forms that htmx posts; this file only moves the
// focus and presses the right button.
(function () {
  "use strict";

  const root = document.getElementById("review");
  if (!root) return;
  const panel = document.getElementById("panel");
  let current = null; // data-item of the focused disagreement

  function items() {
    return Array.from(document.querySelectorAll("#rv-items .rv-item"));
  }

  function focusItem(el, scroll) {
    items().forEach((item) => item.classList.remove("focused"));
    document.querySelectorAll("#rv-text mark.hl").forEach((m) => m.classList.remove("hl"));
    if (!el) { current = null; return; }
    el.classList.add("focused");
    current = el.dataset.item;
    if (el.dataset.place) {
      document.querySelectorAll('#rv-text mark[data-place="' + el.dataset.place + '"]').forEach((m) => m.classList.add("hl"));
    }
    if (scroll !== false) {
      el.scrollIntoView({ block: "nearest" });
      el.focus({ preventScroll: true });
    }
  }

  function focused() {
    return items().find((el) => el.dataset.item === current) || null;
  }

  function move(step) {
    const list = items();
    if (!list.length) return;
    const at = list.indexOf(focused());
    const next = at < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(Math.max(at + step, 0), list.length - 1);
    focusItem(list[next]);
  }

  function press(selector) {
    const el = focused();
    const button = el && el.querySelector(selector);
    if (button && !button.disabled) button.click();
    return button;
  }

  function firstOpen(after) {
    const list = items();
    const start = after ? list.findIndex((el) => el.dataset.item === after) : -1;
    return list.slice(start + 1).find((el) => el.classList.contains("is-open"))
      || list.find((el) => el.classList.contains("is-open")) || null;
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    const help = document.getElementById("rv-help");
    if (help && help.open) return;
    const key = event.key;
    if (key === "j") { move(1); event.preventDefault(); return; }
    if (key === "k") { move(-1); event.preventDefault(); return; }
    if (/^[1-9]$/.test(key)) {
      if (!press('[data-take="' + key + '"]')) flash("No annotator " + key + " here.");
      event.preventDefault();
      return;
    }
    if (key === "x") { press("[data-drop]"); event.preventDefault(); return; }
    if (key === "e") {
      const button = press("[data-edit]");
      if (button && button.disabled) flash(button.title);
      event.preventDefault();
      return;
    }
    if (key === "a") {
      const accept = document.getElementById("accept-agreed");
      if (accept && !accept.disabled) accept.click();
      event.preventDefault();
      return;
    }
    if (key === "n") {
      const next = document.getElementById("review-next");
      if (next) { event.preventDefault(); next.click(); }
      return;
    }
    if (key === "?") { if (help) help.showModal(); event.preventDefault(); return; }
    if (key === "Escape") { panel.innerHTML = ""; }
  });

  function flash(text) {
    const line = document.getElementById("rv-message");
    if (!line || !text) return;
    const p = document.createElement("p");
    p.className = "message notice";
    p.setAttribute("role", "status");
    p.textContent = text;
    line.replaceChildren(p);
  }

  // A click on an item or on a marked passage focuses that disagreement.
  document.addEventListener("click", (event) => {
    const t = event.target;
    if (t.closest(".close-panel")) { panel.innerHTML = ""; return; }
    if (t.id === "rv-show-help") { document.getElementById("rv-help").showModal(); return; }
    const mark = t.closest("#rv-text mark[data-place]");
    if (mark) {
      focusItem(document.querySelector('#rv-items .rv-item[data-place="' + mark.dataset.place + '"]'));
      return;
    }
    const item = t.closest("#rv-items .rv-item");
    if (item) focusItem(item, false);
  });

  // After a decision the list is swapped: keep the place, moving on to the next open item.
  // (After settling: until then htmx keeps the old classes on elements whose id stayed.)
  document.body.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.target && event.detail.target.id === "panel") {
      if (panel.innerHTML.trim()) panel.scrollIntoView({ block: "nearest" });
      return;
    }
    if (!document.getElementById("rv-items")) return;
    const same = focused();
    if (same && !same.classList.contains("is-open")) focusItem(firstOpen(current) || same);
    else focusItem(same || firstOpen(null));
  });

  // An edit of the gold span in the panel refreshes the list and the text.
  document.body.addEventListener("htmx:afterRequest", (event) => {
    const elt = event.detail.elt;
    const post = (event.detail.requestConfig || {}).verb === "post";
    if (post && event.detail.successful && elt && panel.contains(elt)) {
      htmx.ajax("GET", window.location.pathname, { target: "#rv-items", swap: "outerHTML" });
    }
  });

  focusItem(firstOpen(null), false);
})();
