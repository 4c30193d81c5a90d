// Progressive enhancement: every feature here also works as a plain link or form.
(function () {
  "use strict";
  var root = document.documentElement;

  function systemDark() {
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  }
  function toggleTheme() {
    var dark = root.dataset.theme === "dark" || (root.dataset.theme !== "light" && systemDark());
    root.dataset.theme = dark ? "light" : "dark";
    try { localStorage.setItem("dp-theme", root.dataset.theme); } catch (e) { /* ignore */ }
  }

  // Upvote without a page load; the form still works without JavaScript.
  function enhanceVote(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      fetch(form.getAttribute("action"), {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (response.redirected || response.status === 401) { window.location = response.url; return null; }
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (!data) return;
        form.querySelector(".count").textContent = data.upvotes;
        form.classList.toggle("on", data.upvoted);
        button.setAttribute("aria-pressed", String(data.upvoted));
        form.querySelector("input[name=vote]").value = data.upvoted ? "off" : "on";
      }).finally(function () { button.disabled = false; });
    });
  }

  // The search box and the filter controls show one query: a control changed rewrites its
  // operator in the box (the server does the same when JavaScript is off).
  function syncFilters(form) {
    var box = form.querySelector("input[name=q]");
    function rewrite(key, values) {
      var pattern = new RegExp("(^|\\s)" + key + ":(\"[^\"]*\"?|\\S+)", "gi");
      var text = box.value.replace(pattern, " ").replace(/\s+/g, " ").trim();
      values.forEach(function (v) { if (v) text += (text ? " " : "") + key + ":" + v; });
      box.value = text;
    }
    [["cat", "input[name=cat]"], ["after", "input[name=after]"], ["before", "input[name=before]"]]
      .forEach(function (pair) {
        var control = form.querySelector(pair[1]);
        if (!control) return;
        control.addEventListener("change", function () {
          rewrite(pair[0], control.value.split(/\s+/));
        });
        box.addEventListener("input", function () {  // and an operator typed fills its control
          var found = [], pattern = new RegExp("(?:^|\\s)" + pair[0] + ":(\\S+)", "gi"), m;
          while ((m = pattern.exec(box.value))) found.push(m[1]);
          control.value = pair[0] === "cat" ? found.join(" ") : (found[found.length - 1] || "");
        });
      });
  }

  var selected = -1;
  function items() { return Array.prototype.slice.call(document.querySelectorAll("[data-list] > li")); }
  function select(index) {
    var list = items();
    if (!list.length) return;
    selected = Math.max(0, Math.min(list.length - 1, index));
    list.forEach(function (li, i) { li.classList.toggle("selected", i === selected); });
    list[selected].scrollIntoView({ block: "nearest" });
  }
  function current() {
    var list = items();
    return selected >= 0 ? list[selected] : document.querySelector(".paper-page");
  }

  function onKey(event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable) return;
    if (event.metaKey || event.ctrlKey || event.altKey) return;
    var help = document.getElementById("help");
    switch (event.key) {
      case "j": select(selected + 1); break;
      case "k": select(selected - 1); break;
      case "o": case "Enter": {
        var item = current(), link = item && item.querySelector("[data-open]");
        if (link) window.location = link.href; else return;
        break;
      }
      case "u": {
        var target = current(), vote = target && target.querySelector("form[data-vote]");
        if (vote) vote.requestSubmit(); else return;
        break;
      }
      case "/": {
        var box = document.querySelector("form.search input");
        if (box) box.focus(); else return;
        break;
      }
      case "t": toggleTheme(); break;
      case "?": if (help && !help.open) help.showModal(); break;
      default: return;
    }
    event.preventDefault();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.getElementById("theme-toggle");
    if (toggle) toggle.addEventListener("click", toggleTheme);
    document.querySelectorAll("form[data-vote]").forEach(enhanceVote);
    document.querySelectorAll("[data-help]").forEach(function (b) {
      b.addEventListener("click", function () { document.getElementById("help").showModal(); });
    });
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var source = document.querySelector(button.dataset.copy);
        if (!source || !navigator.clipboard) return;
        navigator.clipboard.writeText(source.textContent).then(function () {
          var label = button.textContent;
          button.textContent = "Copied";
          setTimeout(function () { button.textContent = label; }, 1500);
        });
      });
    });
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    });
    document.querySelectorAll("form[data-sync-filters]").forEach(syncFilters);
    // The date picker goes as soon as a whole date is chosen; its Go button stays for no-JS.
    document.querySelectorAll("form[data-jump] input[type=date]").forEach(function (input) {
      input.addEventListener("change", function () { if (input.value) input.form.requestSubmit(); });
    });
    document.addEventListener("keydown", onKey);
  });
})();
