// The run page: live progress over the socket, the results table reloaded as items finish,
// Markdown in cells, side-by-side comparison of two configurations, and the summary charts.
import { markdownToHtml } from "./markdown.js";
import { drawCharts } from "./batches-charts.js";

const root = document.querySelector("[data-run-id]");
const FINAL = new Set(["completed", "cancelled"]);
const RELOAD_MS = 1500;
let answeredShown = null;
let reloadTimer = null;

function setField(name, text) {
  const node = root.querySelector(`[data-field="${name}"]`);
  if (node) node.textContent = text;
}

function showProgress(p) {
  const bar = root.querySelector('[role="progressbar"]');
  bar.setAttribute("aria-valuemax", p.total);
  bar.setAttribute("aria-valuenow", p.answered);
  const share = p.total ? (p.answered + p.cancelled) / p.total : 0;
  root.querySelector("[data-progress-fill]").style.width = `${(share * 100).toFixed(1)}%`;
  for (const name of ["status", "done", "failed", "cancelled", "total", "cached_ratio", "rate"]) {
    setField(name, String(p[name]));
  }
  setField("tokens", `${p.input_tokens} / ${p.cached_tokens} / ${p.output_tokens}`);
  setField("cost", `$${p.cost}`);
  setField("elapsed", `${p.elapsed} s`);
  setField("eta", p.eta == null ? "–" : `${p.eta} s`);
  setField("paused", p.paused || "");
  root.querySelector('[data-field="paused"]').hidden = !p.paused;
  const cancel = root.querySelector("[data-cancel]");
  if (cancel) cancel.disabled = FINAL.has(p.status);
  if (answeredShown !== null && answeredShown !== p.answered) scheduleReload(FINAL.has(p.status));
  answeredShown = p.answered;
}

function scheduleReload(now) {
  if (reloadTimer && !now) return;
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(reloadResults, now ? 0 : RELOAD_MS);
}

async function reloadResults() {
  reloadTimer = null;
  const response = await fetch(root.dataset.resultsUrl + location.search);
  if (!response.ok) return;
  root.querySelector("[data-results]").innerHTML = await response.text();
  renderCells();
  applyCompare();
}

function renderCells() {
  for (const node of root.querySelectorAll("[data-results] [data-markdown]")) {
    node.innerHTML = markdownToHtml(node.textContent);
    node.removeAttribute("data-markdown");
  }
}

let comparing = false;
function applyCompare() {
  const a = root.querySelector('[data-compare="a"]');
  const b = root.querySelector('[data-compare="b"]');
  for (const cell of root.querySelectorAll("[data-results] [data-column]")) {
    const column = cell.dataset.column;
    cell.hidden = comparing && column !== a.value && column !== b.value;
  }
}

function setUpCompare() {
  const toggle = root.querySelector("[data-compare-toggle]");
  if (!toggle) return;
  toggle.setAttribute("aria-pressed", "false");
  toggle.addEventListener("click", () => {
    comparing = !comparing;
    toggle.setAttribute("aria-pressed", String(comparing));
    applyCompare();
  });
  for (const select of root.querySelectorAll("[data-compare]")) {
    select.addEventListener("change", applyCompare);
  }
}

function connect(delay = 500) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${scheme}//${location.host}/ws/batches/${root.dataset.runId}/`);
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "progress") showProgress(message.progress);
  });
  socket.addEventListener("close", (event) => {
    if (event.code === 4403) return;
    setTimeout(() => connect(Math.min(delay * 2, 10_000)), delay);
  });
}

renderCells();
setUpCompare();
connect();
window.addEventListener("load", () => drawCharts(JSON.parse(document.getElementById("batch-chart-data").textContent)));
