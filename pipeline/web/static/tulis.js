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

// The editor's form: a photo over the upload limit is refused here, before the text is sent
// (the server refuses it too, but a very large body could not come back with the form); a
// photo is only sent by the upload button; the nota dinas' subject follows the title until
// the writer edits it.
(function () {
  const form = document.getElementById("editor");
  if (!form) return;
  const photo = document.getElementById("photo");
  const title = document.getElementById("title");
  const hal = document.getElementById("hal");
  const limit = Number(form.dataset.uploadLimit || 0);
  form.addEventListener("submit", function (event) {
    if (!photo) return;
    const uploading = event.submitter && event.submitter.id === "upload";
    const file = photo.files && photo.files[0];
    if (uploading && file && limit && file.size > limit) {
      event.preventDefault();
      let said = document.getElementById("photo-too-big");
      if (!said) {
        said = document.createElement("p");
        said.id = "photo-too-big";
        said.className = "message";
        said.setAttribute("role", "alert");
        photo.parentNode.appendChild(said);
      }
      said.textContent = form.dataset.tooBig || "";
      return;
    }
    if (!uploading) photo.disabled = true; // disabled fields are not sent
  });
  window.addEventListener("pageshow", function () {
    if (photo) photo.disabled = false; // back from the answer page
  });
  if (title && hal) {
    const prefix = "Permohonan Publikasi Informasi";
    let auto = hal.value === prefix || hal.value === prefix + ": " + title.value;
    hal.addEventListener("input", function () { auto = false; });
    title.addEventListener("input", function () {
      if (auto) hal.value = title.value.trim() ? prefix + ": " + title.value.trim() : prefix;
    });
  }
})();
