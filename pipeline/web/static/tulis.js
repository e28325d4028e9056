// The editor's live preview: the body is POSTed (with the form's CSRF token) to the server,
// which renders it with the site's own Markdown and sanitiser; the answer is safe HTML.
"use strict";
(function () {
  const form = document.getElementById("editor");
  const body = document.getElementById("body");
  const preview = document.getElementById("preview");
  if (!form || !body || !preview) return;
  let timer = null;
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
      if (mine === sent && answer.ok) preview.innerHTML = await answer.text();
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
