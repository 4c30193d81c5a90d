// Applies the saved theme before the page paints (no flash of the wrong colours).
(function () {
  try {
    var saved = localStorage.getItem("dp-theme");
    if (saved === "light" || saved === "dark") document.documentElement.dataset.theme = saved;
  } catch (e) { /* storage disabled: follow the system */ }
})();
