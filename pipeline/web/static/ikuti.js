// Follows what moves without a reload (no inline script, CSP stays strict): a publication
// section that has not finished is fetched again every few seconds until it has, and the
// header's count of what waits for me is filled in after the page has loaded.
"use strict";
(function () {
  const POLL_MS = 3000;
  function follow() {
    const section = document.getElementById("publikasi");
    const url = section && section.dataset.poll;
    if (!url) return;
    setTimeout(async function () {
      try {
        const answer = await fetch(url, { credentials: "same-origin" });
        if (answer.ok) {
          const box = document.createElement("div");
          box.innerHTML = await answer.text(); // the server's escaped fragment
          const fresh = box.querySelector("#publikasi");
          if (fresh) section.replaceWith(fresh);
        }
      } catch (error) {
        // The server is restarting: the next round tries again.
      }
      follow();
    }, POLL_MS);
  }
  async function count() {
    const badge = document.getElementById("jumlah-menunggu");
    if (!badge) return;
    try {
      const answer = await fetch("/menunggu/jumlah", { credentials: "same-origin" });
      if (!answer.ok) return;
      const n = parseInt(await answer.text(), 10);
      if (n > 0) {
        badge.textContent = badge.dataset.label.replace("{n}", String(n));
        badge.hidden = false;
      }
    } catch (error) {
      // No count this time; the list itself is one click away.
    }
  }
  follow();
  count();
})();
