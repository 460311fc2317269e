/* Draw each chart from its figure JSON with the locally served plotly.js. */
"use strict";
(function () {
  let drawn = 0;
  for (const el of document.querySelectorAll(".chart[data-figure-id]")) {
    const figure = JSON.parse(document.getElementById(el.dataset.figureId).textContent);
    window.Plotly.newPlot(el, figure.data, figure.layout, { responsive: true, displaylogo: false });
    drawn += 1;
  }
  document.body.dataset.chartsDrawn = String(drawn);
})();
