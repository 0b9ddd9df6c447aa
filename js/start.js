// Starts the app (inlined ahead of the stylesheets; its element names the files in
// data-js and data-wasm) and keeps what is typed before then: see START_SCRIPT in src/server/assets.rs.
(function () {
  var files = document.currentScript.dataset;
  function ready() { return document.body !== null && document.body.hasAttribute("data-hydrated"); }
  function queue(f) {
    var t = f && f.querySelector("#composer-input");
    if (t && t.value.trim() !== "") f.setAttribute("data-queued", "");
  }
  document.addEventListener("keydown", function (e) {
    if (ready() || e.key !== "Enter" || e.shiftKey || e.isComposing || e.keyCode === 229) return;
    var t = e.target;
    if (!t || t.id !== "composer-input") return;
    e.preventDefault();
    queue(t.form);
  }, true);
  document.addEventListener("input", function (e) {
    if (!ready() && e.target && e.target.id === "composer-input" && e.target.form) e.target.form.removeAttribute("data-queued");
  }, true);
  document.addEventListener("submit", function (e) {
    if (ready()) return;
    e.preventDefault();
    if (e.target && e.target.classList && e.target.classList.contains("composer")) queue(e.target);
  }, true);
  var loaded = import(files.js).then(function (m) {
    return m.default({ module_or_path: files.wasm }).then(function () { return m; });
  });
  var parsed = new Promise(function (r) {
    if (document.readyState !== "loading") r();
    else document.addEventListener("DOMContentLoaded", r, { once: true });
  });
  Promise.all([loaded, parsed]).then(function (v) { v[0].hydrate(); }, function (e) {
    console.error("agno-chat could not start:", e);
  });
})();
