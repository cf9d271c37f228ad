// On a narrow screen, apply each figure's `layout.meta.narrow` overrides (drop cell labels,
// turn tick labels) before static/app.js draws it; runs first because it is loaded first.
(function () {
  "use strict";
  var NARROW = 600;

  function compact(root) {
    if (window.innerWidth >= NARROW || !root || !root.querySelectorAll) return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart);
      if (!source || el.dataset.drawn) return;
      var fig = JSON.parse(source.textContent);
      var narrow = fig.layout && fig.layout.meta && fig.layout.meta.narrow;
      if (!narrow) return;
      if (narrow.hideText) fig.data.forEach(function (t) { t.texttemplate = ""; });
      Object.keys(narrow.axes || {}).forEach(function (axis) {
        Object.assign(fig.layout[axis], narrow.axes[axis]);
      });
      delete fig.layout.meta.narrow;
      source.textContent = JSON.stringify(fig);
    });
  }

  if (window.htmx) window.htmx.onLoad(compact);
})();
