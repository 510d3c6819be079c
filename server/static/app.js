// bulkpay's pages work without this script; it adds drag and drop to the
// upload form, live progress of a run, and times in the reader's zone.
"use strict";

// localTimes writes every <time datetime> (UTC, with a UTC text for readers
// without script) in the reader's time zone and the page's language; the
// UTC text stays as the element's title.
function localTimes(root) {
  var f = new Intl.DateTimeFormat(document.documentElement.lang || undefined,
    { dateStyle: "medium", timeStyle: "short" });
  root.querySelectorAll("time[datetime]").forEach(function (t) {
    var d = new Date(t.getAttribute("datetime"));
    if (!isNaN(d)) {
      t.title = t.textContent;
      t.textContent = f.format(d);
    }
  });
}

function dropZone(zone) {
  var input = zone.querySelector("input[type=file]");
  ["dragenter", "dragover"].forEach(function (ev) {
    zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (ev) {
    zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) {
    if (e.dataTransfer && e.dataTransfer.files.length > 0) {
      input.files = e.dataTransfer.files;
      var hint = zone.querySelector(".hint");
      if (hint) { hint.textContent = e.dataTransfer.files[0].name; }
    }
  });
}

function money(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, " ");
}

function progressStream(box) {
  var body = box.querySelector("tbody");
  var status = box.querySelector(".status");
  var es = new EventSource(box.getAttribute("data-stream"));
  function show(p) {
    p.providers.forEach(function (pp) {
      var row = body.querySelector('tr[data-provider="' + CSS.escape(pp.name) + '"]');
      if (!row) { return; }
      row.querySelector(".done").textContent = pp.done + " / " + pp.items;
      var bar = row.querySelector("progress");
      bar.max = pp.items;
      bar.value = pp.done;
      var paid = row.querySelector(".paid");
      paid.textContent = paid.textContent.replace(/^[\d\s\u202f]+/, money(pp.paid) + " ");
      var counts = row.querySelector(".counts");
      Object.keys(pp.counts).forEach(function (s) {
        var span = counts.querySelector(".st-" + s);
        if (!span) {
          span = document.createElement("span");
          span.className = "st st-" + s;
          span.textContent = (box.getAttribute("data-label-" + s) || s) + " 0";
          counts.appendChild(span);
          counts.appendChild(document.createTextNode(" "));
        }
        span.textContent = span.textContent.replace(/\d+$/, pp.counts[s]);
      });
      counts.querySelectorAll(".st").forEach(function (span) {
        var s = span.className.replace("st st-", "");
        if (!(s in pp.counts)) { span.remove(); }
      });
    });
    status.textContent = p.running ? box.getAttribute("data-running") :
      (p.paused ? box.getAttribute("data-paused") : (p.ended ? box.getAttribute("data-ended") : ""));
    if (p.error) { status.textContent += " " + p.error; }
  }
  es.addEventListener("progress", function (e) { show(JSON.parse(e.data)); });
  es.addEventListener("end", function (e) { show(JSON.parse(e.data)); es.close(); });
}

document.addEventListener("DOMContentLoaded", function () {
  localTimes(document);
  document.querySelectorAll("[data-drop]").forEach(dropZone);
  var box = document.getElementById("progress");
  if (box && window.EventSource) { progressStream(box); }
});
