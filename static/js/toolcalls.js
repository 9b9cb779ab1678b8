// A turn's function calls, each a <details> whose summary names the tool ("Tool: calculator"),
// opened on its arguments and result. Calls are keyed by call_id: frames replayed after a
// reconnect update the same element.

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Arguments are JSON text from the model: shown indented when they parse, as sent when not.
function pretty(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function callState(call) {
  if (call.ok === null || call.ok === undefined) return "running";
  return call.ok ? "done" : "failed";
}

const STATE_NOTES = { running: " (running…)", done: "", failed: " (error)" };
// What the two parts of a call are, by kind: a function's (ours or an MCP server's) arguments
// and result; a hosted tool's query or code and what it found or printed.
const HEADINGS = {
  web_search_call: ["Searched for", "Result"],
  file_search_call: ["Searched for", "Found"],
  code_interpreter_call: ["Code", "Output"],
};

function linkList(urls, className) {
  const list = el("ul", className);
  for (const { url, title } of urls) {
    // Only web addresses: the server keeps no other scheme, and this checks again.
    if (!/^https?:\/\//.test(url)) continue;
    const link = el("a", "", title || url);
    link.href = url;
    link.rel = "noopener noreferrer";
    link.target = "_blank";
    const item = el("li");
    item.append(link);
    list.append(item);
  }
  list.hidden = list.children.length === 0;
  return list;
}

/** The sources an answer cites, as links under it. */
export class SourcesView {
  constructor() {
    this.element = el("div", "sources");
    this.element.hidden = true;
  }

  show(citations) {
    this.element.hidden = !citations?.length;
    if (this.element.hidden) return;
    const heading = el("p", "tool-call-heading", "Sources");
    this.element.replaceChildren(heading, linkList(citations, "source-list"));
  }
}

export class ToolCallsView {
  constructor() {
    this.element = el("div", "tool-calls");
    this.element.hidden = true;
    this.calls = new Map();
  }

  /** Show or update each call (a turn's tool_calls, or one turn.tool_call frame's call). */
  show(calls) {
    for (const call of calls) this.upsert(call);
  }

  upsert(call) {
    let view = this.calls.get(call.call_id);
    if (!view) {
      view = this.build();
      this.calls.set(call.call_id, view);
      this.element.append(view.details);
      this.element.hidden = false;
    }
    const state = callState(call);
    view.details.dataset.state = state;
    const [asked, answered] = HEADINGS[call.kind] || ["Arguments", "Result"];
    view.summary.textContent = `Tool: ${call.name}${STATE_NOTES[state]}`;
    view.argumentsHeading.textContent = asked;
    view.arguments.textContent = call.kind ? call.arguments : pretty(call.arguments || "{}");
    view.resultHeading.textContent = answered;
    view.result.textContent = call.output ?? "";
    const links = linkList((call.links || []).map((url) => ({ url })), "tool-call-links");
    view.links.replaceWith(links);
    view.links = links;
    view.resultHeading.hidden = state === "running" || (!call.output && !call.links?.length);
    view.result.hidden = state === "running" || !call.output;
  }

  build() {
    const details = el("details", "tool-call");
    const summary = el("summary");
    const argumentsHeading = el("p", "tool-call-heading", "Arguments");
    const args = el("pre", "tool-call-arguments");
    const resultHeading = el("p", "tool-call-heading", "Result");
    const result = el("pre", "tool-call-result");
    const links = el("ul");
    details.append(summary, argumentsHeading, args, resultHeading, result, links);
    return { details, summary, argumentsHeading, arguments: args, resultHeading, result, links };
  }
}
