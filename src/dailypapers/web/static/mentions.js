// "@" autocomplete in comment boxes: type @ and a few letters, pick a username with the
// arrow keys and Enter or Tab (or a click). Without JavaScript, typing @name works the same.
(function () {
  "use strict";
  var AT = /(^|[^\w@\/.\-])@([A-Za-z0-9_\-]{1,30})$/;  // an @name being typed, not an address

  function attach(box) {
    var list = document.createElement("ul");
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    box.setAttribute("aria-autocomplete", "list");
    box.insertAdjacentElement("afterend", list);
    var found = [], active = -1, timer = null, asked = "";

    function typed() {
      var match = AT.exec(box.value.slice(0, box.selectionStart));
      return match ? match[2] : null;
    }
    function close() { list.hidden = true; found = []; active = -1; }
    function show(users) {
      found = users; active = users.length ? 0 : -1;
      list.textContent = "";
      users.forEach(function (u, i) {
        var item = document.createElement("li");
        item.setAttribute("role", "option");
        var img = document.createElement("img");
        img.src = u.avatarUrl; img.alt = ""; img.width = 20; img.height = 20;
        var name = document.createElement("strong");
        name.textContent = "@" + u.user;  // text, never markup
        var full = document.createElement("span");
        full.textContent = u.fullname !== u.user ? " " + u.fullname : "";
        item.append(img, name, full);
        item.addEventListener("mousedown", function (e) { e.preventDefault(); pick(i); });
        list.appendChild(item);
      });
      highlight();
      list.hidden = !users.length;
    }
    function highlight() {
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.setAttribute("aria-selected", i === active ? "true" : "false");
      });
    }
    function pick(i) {
      var user = found[i];
      if (!user) return;
      var before = box.value.slice(0, box.selectionStart).replace(/@[A-Za-z0-9_\-]*$/, "@" + user.user + " ");
      var after = box.value.slice(box.selectionStart);
      box.value = before + after;
      box.selectionStart = box.selectionEnd = before.length;
      close();
      box.focus();
    }
    box.addEventListener("input", function () {
      var prefix = typed();
      if (!prefix) { close(); return; }
      if (prefix === asked) return;
      clearTimeout(timer);
      timer = setTimeout(function () {
        asked = prefix;
        fetch("/mentions/suggest?q=" + encodeURIComponent(prefix), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (users) { if (typed() === prefix) show(users); })
          .catch(close);
      }, 120);
    });
    box.addEventListener("keydown", function (e) {
      if (list.hidden) return;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        active = (active + (e.key === "ArrowDown" ? 1 : found.length - 1)) % found.length;
        highlight();
      } else if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault(); pick(active);
      } else if (e.key === "Escape") {
        e.stopPropagation(); close();
      }
    });
    box.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[name=body]").forEach(attach);
  });
})();
