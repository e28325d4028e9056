// The editor's live preview: the body is POSTed (with the form's CSRF token) to the server,
// which renders it with the site's own Markdown and sanitiser; the answer is safe HTML.
"use strict";
(function () {
  const form = document.getElementById("editor");
  const body = document.getElementById("body");
  const preview = document.getElementById("preview");
  if (!form || !body || !preview) return;
  const frame = document.getElementById("preview-frame");
  let timer = null;
  // The server's answer is already sanitised HTML; it is shown inside the site theme's own
  // article markup and stylesheet, in a frame that runs no script (sandbox without
  // allow-scripts), so the app's styles and the site's never mix.
  function show(html) {
    if (!frame) { preview.innerHTML = html; return; }
    const lang = frame.dataset.lang === "en" ? "en" : "id";
    frame.srcdoc = '<!doctype html><html lang="' + lang + '"><head><meta charset="utf-8">' +
      '<title>' + frame.title + '</title><link rel="stylesheet" href="/tulis/tema.css"></head>' +
      '<body><main id="konten" class="wrap"><article class="post"><div class="prose">' + html +
      '</div></article></main></body></html>';
  }
  let sent = 0;
  async function render() {
    const mine = ++sent;
    const data = new URLSearchParams();
    data.set("csrftoken", form.elements.csrftoken.value);
    data.set("body", body.value);
    try {
      const answer = await fetch("/tulis/pratinjau", {
        method: "POST", body: data, credentials: "same-origin",
      });
      // Only the newest answer is shown: an older, slower one must not overwrite it.
      if (mine === sent && answer.ok) show(await answer.text());
    } catch (error) {
      // Offline for a moment: the next keystroke tries again.
    }
  }
  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(render, 250);
  });
  render();
})();
