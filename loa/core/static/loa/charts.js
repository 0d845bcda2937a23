// Draws every <canvas data-chart="ID"> from the JSON in <script id="ID" type="application/json">
// ({type, labels, datasets, stacked, horizontal}): no inline script, so the CSP stays strict.
"use strict";
(function () {
  const colours = ["#198754", "#0d6efd", "#adb5bd", "#dc3545", "#fd7e14", "#6f42c1"];
  function draw(canvas) {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source || canvas.dataset.drawn) return;
    const spec = JSON.parse(source.textContent);
    canvas.dataset.drawn = "1";
    new Chart(canvas, {
      type: spec.type || "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map((set, i) => ({ backgroundColor: colours[i % colours.length], ...set })),
      },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { stacked: !!spec.stacked }, y: { stacked: !!spec.stacked, ticks: { autoSkip: false } } },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }
  function drawAll() { document.querySelectorAll("canvas[data-chart]").forEach(draw); }
  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSettle", drawAll);
})();
