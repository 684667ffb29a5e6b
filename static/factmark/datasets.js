// Factmark datasets page: upload progress and the size limit for the import form,
// which htmx posts as multipart.  Everything else on the page is plain HTML and htmx.
(function () {
  "use strict";

  const form = document.querySelector("form[data-progress]");
  if (!form) return;
  const bar = document.getElementById(form.dataset.progress);
  const status = document.getElementById(form.dataset.progress + "-status");
  const input = form.querySelector("input[type=file][data-max-bytes]");

  // Refuse an oversized file before uploading it; the server checks again.
  if (input) {
    input.addEventListener("change", function () {
      const file = input.files[0];
      const tooBig = file && file.size > Number(input.dataset.maxBytes);
      input.setCustomValidity(tooBig ? "This file is larger than the limit of " + input.dataset.maxLabel + "." : "");
      input.reportValidity();
    });
  }

  form.addEventListener("htmx:beforeRequest", function () {
    bar.value = 0;
    bar.textContent = "0%";
    bar.hidden = false;
    status.textContent = "Uploading…";
  });

  // Fired for the upload and then for the download of the answer: the bar only grows.
  form.addEventListener("htmx:xhr:progress", function (event) {
    const detail = event.detail;
    if (!detail.lengthComputable || !detail.total) return;
    const percent = Math.round((detail.loaded / detail.total) * 100);
    bar.value = Math.max(bar.value, percent);
    bar.textContent = bar.value + "%";
    if (bar.value >= 100) status.textContent = "Checking and saving…";
  });

  form.addEventListener("htmx:afterRequest", function () {
    bar.hidden = true;
    status.textContent = "";
  });
})();
