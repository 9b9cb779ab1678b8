// Per-configuration charts on the run page (Chart.js, vendored); the same numbers are in the
// table beside them, which is what screen readers use.

function colour(name, fallback) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function barChart(canvas, labels, datasets, title) {
  return new window.Chart(canvas, {
    type: "bar",
    data: { labels, datasets },
    options: {
      animation: false,
      responsive: false,
      plugins: { title: { display: true, text: title } },
      scales: { y: { beginAtZero: true } },
    },
  });
}

/** Draw latency (p50, p95) and cost per configuration; rows: [{label, p50, p95, cost}]. */
export function drawCharts(rows) {
  if (!window.Chart || !rows.length) return;
  const labels = rows.map((row) => row.label);
  const accent = colour("--accent", "#2f5fd0");
  const muted = colour("--muted", "#6b6b66");
  const latency = document.querySelector('[data-chart="latency"]');
  const cost = document.querySelector('[data-chart="cost"]');
  barChart(latency, labels, [
    { label: "p50 latency (ms)", data: rows.map((row) => row.p50), backgroundColor: accent },
    { label: "p95 latency (ms)", data: rows.map((row) => row.p95), backgroundColor: muted },
  ], "Latency per configuration");
  barChart(cost, labels, [
    { label: "Cost ($)", data: rows.map((row) => row.cost), backgroundColor: accent },
  ], "Cost per configuration");
}
