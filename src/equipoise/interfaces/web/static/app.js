// Draws every server-built Plotly figure in newly loaded content (the page, or an htmx swap).
(function () {
  "use strict";

  function figures(root) {
    var found = Array.prototype.slice.call(root.querySelectorAll("[data-chart]"));
    if (root.matches && root.matches("[data-chart]")) found.unshift(root);
    return found;
  }

  // On a phone a horizontal legend wraps over the title: stack it, one entry per line.
  function narrow(el, layout, traces) {
    if (el.clientWidth >= 560 || !layout.showlegend || !layout.legend || !layout.margin) return;
    var title = (layout.title && layout.title.text) || "";
    layout.legend.orientation = "v";
    // 22 px per further title line, as charts.figure allows on a desktop
    layout.margin.t = 44 + 19 * traces + 22 * (title.split("<br>").length - 1);
    layout.height = (layout.height || 340) + 19 * (traces - 1);
  }

  function draw(root) {
    if (!window.Plotly || !root || !root.querySelectorAll) return;
    figures(root).forEach(function (el) {
      var source = document.getElementById(el.dataset.chart);
      if (!source || el.dataset.drawn) return;
      var fig = JSON.parse(source.textContent);
      el.dataset.drawn = "1";
      narrow(el, fig.layout, fig.data.length);
      window.Plotly.newPlot(el, fig.data, fig.layout, fig.config);
    });
  }

  if (window.htmx) {
    // Show validation errors (422) in place instead of dropping them.
    document.addEventListener("htmx:beforeSwap", function (evt) {
      if (evt.detail.xhr.status === 422) {
        evt.detail.shouldSwap = true;
        evt.detail.isError = false;
      }
    });
    window.htmx.onLoad(draw);
  } else {
    document.addEventListener("DOMContentLoaded", function () { draw(document.body); });
  }
})();
