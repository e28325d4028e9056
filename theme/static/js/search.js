/* Client-side search over search.json (built with the site); no external service. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) { return; }
  var input = document.getElementById("q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var root = form.getAttribute("data-root");
  var index = null;

  function fold(text) {
    return (text || "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function score(item, words) {
    var title = fold(item.t);
    var rest = fold([item.s, item.c, (item.g || []).join(" ")].join(" "));
    var total = 0;
    for (var i = 0; i < words.length; i++) {
      if (title.indexOf(words[i]) >= 0) { total += 3; }
      else if (rest.indexOf(words[i]) >= 0) { total += 1; }
      else { return 0; }
    }
    return total;
  }

  function show(query) {
    var words = fold(query).split(/\s+/).filter(Boolean);
    list.textContent = "";
    if (!words.length) { status.textContent = ""; return; }
    var hits = index
      .map(function (item, order) { return { item: item, s: score(item, words), o: order }; })
      .filter(function (hit) { return hit.s > 0; })
      .sort(function (a, b) { return b.s - a.s || a.o - b.o; });
    status.textContent = hits.length
      ? form.getAttribute("data-count").replace("{n}", hits.length)
      : form.getAttribute("data-none");
    hits.slice(0, 50).forEach(function (hit) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + hit.item.u;
      a.textContent = hit.item.t;
      li.appendChild(a);
      if (hit.item.d) {
        var meta = document.createElement("p");
        meta.className = "meta";
        meta.textContent = hit.item.d + " · " + hit.item.c;
        li.appendChild(meta);
      }
      var p = document.createElement("p");
      p.textContent = hit.item.s;
      li.appendChild(p);
      list.appendChild(li);
    });
  }

  var loading = null;

  // The index is fetched once; results always follow what is in the box when it arrives
  // (typing goes on while it loads, so the word typed first is not the one to show).
  function run() {
    if (index) { show(input.value); return; }
    if (!loading) {
      loading = fetch(form.getAttribute("data-index"))
        .then(function (response) { return response.json(); })
        .then(function (data) { index = data; });
    }
    loading.then(function () { show(input.value); }, function () {
      loading = null;
      status.textContent = form.getAttribute("data-error");
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var url = new URL(window.location.href);
    url.searchParams.set("q", input.value);
    window.history.replaceState(null, "", url);
    run();
  });
  input.addEventListener("input", function () { if (index) { show(input.value); } else { run(); } });
  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) { input.value = initial; run(); }
})();
