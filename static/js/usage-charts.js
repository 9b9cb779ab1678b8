// The admin usage page's charts: tokens and cost per day (Chart.js, vendored). The tables below
// carry the same numbers for screen readers.
window.addEventListener("load", () => {
  const rows = JSON.parse(document.getElementById("usage-chart-data").textContent);
  if (!window.Chart || !rows.length) return;
  const labels = rows.map((row) => row.day);
  const options = (title) => ({
    animation: false,
    responsive: false,
    plugins: { title: { display: true, text: title } },
    scales: { y: { beginAtZero: true } },
  });
  new window.Chart(document.querySelector('[data-usage-chart="tokens"]'), {
    type: "bar",
    data: {
      labels,
      datasets: [
        { label: "Input tokens", data: rows.map((row) => row.input), backgroundColor: "#417690" },
        { label: "Output tokens", data: rows.map((row) => row.output), backgroundColor: "#79aec8" },
      ],
    },
    options: options("Tokens per day"),
  });
  new window.Chart(document.querySelector('[data-usage-chart="cost"]'), {
    type: "line",
    data: {
      labels,
      datasets: [{ label: "Cost ($)", data: rows.map((row) => row.cost), borderColor: "#417690" }],
    },
    options: options("Cost per day"),
  });
});
