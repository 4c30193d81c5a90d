// Renders $…$ and $$…$$ in titles and abstracts with the vendored KaTeX.
// The text was escaped by the server; KaTeX reads text nodes only, with trust off,
// so \href{javascript:…} and raw HTML never become live. Broken LaTeX stays visible.
(function () {
  // Comments arrive with their math already found by the server (community/markdown.py):
  // <span class="math inline">a_b</span>, <div class="math block">…</div>, as text.
  function renderMarked() {
    if (typeof katex === "undefined") return;
    document.querySelectorAll("[data-math] .math.inline, [data-math] .math.block").forEach(function (el) {
      katex.render(el.textContent.trim(), el, {
        displayMode: el.classList.contains("block"), throwOnError: false, trust: false,
        strict: "ignore", maxExpand: 500
      });
    });
  }
  function render() {
    renderMarked();
    if (typeof renderMathInElement !== "function") return;
    document.querySelectorAll("[data-math]").forEach(function (el) {
      renderMathInElement(el, {
        delimiters: [
          { left: "$$", right: "$$", display: true },
          { left: "$", right: "$", display: false },
          { left: "\\(", right: "\\)", display: false },
          { left: "\\[", right: "\\]", display: true }
        ],
        throwOnError: false,
        trust: false,
        strict: "ignore",
        maxExpand: 500
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", render);
  else render();
})();
