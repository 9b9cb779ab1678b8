// One turn on screen: the user's message and the assistant's reasoning, answer, error and usage.
import { attachmentElement } from "./attachments.js";
import { copyText, renderMarkdown } from "./markdown.js";
import { SourcesView, ToolCallsView } from "./toolcalls.js";

export const TERMINAL = new Set(["completed", "incomplete", "failed", "cancelled", "interrupted"]);

const STATUS_NOTES = {
  cancelled: "Stopped.",
  incomplete: "The answer is incomplete: it reached the output limit.",
  interrupted: "The answer was interrupted before it finished.",
  failed: "The answer failed.",
};

// One sentence under an ended turn: the server's reason when it gives one (a failure's reason
// follows its note, as it is the provider's own message), else the status's note.
function statusMessage(status, reason) {
  if (status === "failed") return [STATUS_NOTES.failed, reason].filter(Boolean).join(" ");
  return reason || STATUS_NOTES[status] || "";
}

/** What a screen reader hears when a turn ends: one short sentence, with a failure's reason. */
export function endAnnouncement(turn) {
  if (turn.status === "completed") return "Answer complete.";
  if (turn.status === "cancelled") return "Answer stopped.";
  return statusMessage(turn.status, turn.error);
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function formatSeconds(seconds) {
  return seconds < 10 ? seconds.toFixed(1) : String(Math.round(seconds));
}

function button(className, text, onClick) {
  const node = el("button", `btn ${className}`, text);
  node.type = "button";
  node.addEventListener("click", onClick);
  return node;
}

export class TurnView {
  /**
   * Build the elements for a turn object T of the websocket protocol. `actions` are what the
   * turn's buttons ask of the page: edit(view, text), regenerate(view), select(turnId).
   */
  constructor(turn, actions = {}) {
    this.id = turn.id;
    this.parentId = turn.parent_id;
    this.position = turn.position;
    this.versions = [turn.id];
    this.actions = actions;
    this.userText = turn.user_text;
    this.attachmentIds = [];
    this.lastSeq = -1;
    this.renderQueued = false;
    this.userOpenedReasoning = false;
    // A turn loaded mid-stream holds a checkpoint of its text; a replay from the start replaces it.
    this.fromCheckpoint = !TERMINAL.has(turn.status) && Boolean(turn.output_text || turn.reasoning_text);

    this.element = el("article", "turn");
    this.element.dataset.turnId = turn.id;
    this.element.dataset.position = turn.position;
    // The depth names the same place on every branch: search results link to #turn-<position>.
    this.element.id = `turn-${turn.position}`;
    this.files = el("div", "user-attachments");
    const user = this.buildUser(turn.user_text);

    this.assistant = el("div", "assistant");
    this.assistant.append(el("h2", "visually-hidden", "Answer"));
    this.reasoning = el("details", "reasoning");
    this.summary = el("summary", "", "Thinking…");
    this.reasoningBody = el("div", "reasoning-text");
    this.reasoning.append(this.summary, this.reasoningBody);
    this.summary.addEventListener("click", () => { this.userOpenedReasoning = true; });
    this.toolCalls = new ToolCallsView();
    this.sources = new SourcesView();
    // The provider summarised the turns before this one to make room (compaction).
    this.compactNote = el("p", "turn-note", "Earlier turns summarised");
    this.answer = el("div", "answer");
    this.typing = el("p", "typing", "Working");
    this.error = el("p", "turn-error");
    this.meta = el("div", "turn-meta");
    // A retry is a new version of the turn, like Regenerate, offered where it may help.
    this.retry = button("retry", "Retry", () => this.actions.regenerate?.(this));
    this.regenerate = button("turn-action", "Regenerate", () => this.actions.regenerate?.(this));
    this.copy = button("turn-action", "Copy answer", () => this.copyAnswer());
    const tools = el("div", "turn-tools");
    tools.append(this.copy, this.regenerate);
    this.assistant.append(this.compactNote, this.reasoning, this.toolCalls.element, this.answer, this.sources.element, this.typing, this.error, this.retry, this.meta, tools);
    this.element.append(this.files, user, this.assistant);
    this.update(turn);
  }

  /** The user's message with its versions and Edit, and the form that edits it in place. */
  buildUser(text) {
    const user = el("div", "user");
    this.message = el("div", "user-message");
    this.message.append(el("span", "visually-hidden", "You said: "), document.createTextNode(text));
    this.message.hidden = text === "";
    this.versionNav = el("div", "versions");
    this.versionNav.setAttribute("role", "group");
    this.versionNav.setAttribute("aria-label", "Versions");
    this.previous = button("version-step", "‹", () => this.step(-1));
    this.previous.setAttribute("aria-label", "Previous version");
    this.next = button("version-step", "›", () => this.step(1));
    this.next.setAttribute("aria-label", "Next version");
    this.versionLabel = el("span", "version-label");
    this.versionNav.append(this.previous, this.versionLabel, this.next);
    this.edit = button("turn-action", "Edit", () => this.openEditor());
    const tools = el("div", "turn-tools");
    tools.append(this.versionNav, this.edit);
    this.editor = el("form", "editor");
    this.editor.hidden = true;
    this.editorText = el("textarea");
    this.editorText.setAttribute("aria-label", "Edited text");
    this.editorText.rows = 3;
    const save = el("button", "btn btn-primary", "Save");
    save.type = "submit";
    const cancel = button("", "Cancel", () => this.closeEditor());
    const editorActions = el("div", "editor-actions");
    editorActions.append(cancel, save);
    this.editor.append(this.editorText, editorActions);
    this.editor.addEventListener("submit", (event) => {
      event.preventDefault();
      const edited = this.editorText.value;
      if (!edited.trim() && !this.attachmentIds.length) return;
      if (this.actions.edit?.(this, edited) !== false) this.closeEditor();
    });
    this.editorText.addEventListener("keydown", (event) => {
      if (event.key === "Escape") { event.stopPropagation(); this.closeEditor(); }
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.editor.requestSubmit();
      }
    });
    user.append(this.message, this.editor, tools);
    return user;
  }

  openEditor() {
    this.editorText.value = this.userText;
    this.message.hidden = true;
    this.editor.hidden = false;
    this.editorText.focus();
  }

  closeEditor() {
    if (this.editor.hidden) return;
    this.editor.hidden = true;
    this.message.hidden = this.userText === "";
    this.edit.focus();
  }

  step(delta) {
    const index = this.versions.indexOf(this.id) + delta;
    if (index >= 0 && index < this.versions.length) this.actions.select?.(this.versions[index]);
  }

  /** Branch actions wait while a reply is generating: its branch stays on screen till then. */
  setBusy(busy) {
    for (const node of [this.edit, this.regenerate, this.retry, this.previous, this.next]) {
      node.disabled = busy;
    }
    if (!busy) this.renderVersions();
  }

  renderVersions() {
    const index = this.versions.indexOf(this.id);
    this.versionNav.hidden = this.versions.length < 2;
    this.versionLabel.textContent = `${index + 1} / ${this.versions.length}`;
    this.previous.disabled = index <= 0;
    this.next.disabled = index >= this.versions.length - 1;
  }

  async copyAnswer() {
    const done = await copyText(this.text);
    this.copy.textContent = done ? "Copied" : "Copy failed";
    setTimeout(() => { this.copy.textContent = "Copy answer"; }, 1500);
  }

  get status() {
    return this.assistant.dataset.status;
  }

  get terminal() {
    return TERMINAL.has(this.status);
  }

  /** Replace everything with the server's authoritative state. */
  update(turn) {
    if (turn.versions) this.versions = turn.versions;
    this.text = turn.output_text || "";
    this.reasoningText = turn.reasoning_text || "";
    this.reasoningSeconds = turn.reasoning_seconds;
    this.setResponseId(turn.response_id);
    this.assistant.dataset.status = turn.status;
    this.usage = turn.usage;
    this.errorText = turn.error || "";
    // The server's call: a failure a second try may fix, or an interruption (never a refusal).
    this.retryable = Boolean(turn.retryable);
    // Frames that do not carry the files (a turn finishing) leave them as they are.
    if (turn.attachments) this.showAttachments(turn.attachments);
    if (turn.tool_calls) this.toolCalls.show(turn.tool_calls);
    this.compactNote.hidden = !turn.compacted;
    this.sources.show(turn.citations);
    this.render();
  }

  showAttachments(attachments) {
    this.attachmentIds = attachments.map((attachment) => attachment.id);
    this.files.replaceChildren(...attachments.map(attachmentElement));
    this.files.hidden = attachments.length === 0;
  }

  /** After a re-attach: the update() just applied holds everything up to seq. */
  resumeFrom(seq) {
    this.lastSeq = seq;
    this.fromCheckpoint = false;
  }

  setResponseId(responseId) {
    if (responseId) this.assistant.dataset.responseId = responseId;
  }

  /** Append one text or reasoning delta; repeats (same or older seq) from a replay are ignored. */
  applyDelta({ seq, kind, delta }) {
    if (seq <= this.lastSeq) return;
    if (this.fromCheckpoint && this.lastSeq < 0 && seq <= 1) {
      this.text = "";
      this.reasoningText = "";
    }
    this.fromCheckpoint = false;
    this.lastSeq = seq;
    if (!this.terminal) this.assistant.dataset.status = "streaming";
    if (kind === "reasoning") this.reasoningText += delta;
    else this.text += delta;
    this.queueRender();
  }

  /** A function call started or ended (a turn.tool_call frame). */
  toolCall(call) {
    if (!this.terminal) this.assistant.dataset.status = "streaming";
    this.toolCalls.upsert(call);
  }

  reasoningDone(seconds) {
    this.reasoningSeconds = seconds;
    this.queueRender();
  }

  queueRender() {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  render() {
    const terminal = this.terminal;
    const reasoningOver = terminal || this.reasoningSeconds != null || this.text !== "";
    this.assistant.setAttribute("aria-busy", String(!terminal));

    this.reasoning.hidden = this.reasoningText === "";
    this.reasoningBody.textContent = this.reasoningText;
    if (reasoningOver) {
      this.summary.textContent = this.reasoningSeconds != null
        ? `Thought for ${formatSeconds(this.reasoningSeconds)} s`
        : "Thought for a moment";
      this.reasoning.removeAttribute("data-streaming");
      if (!this.userOpenedReasoning) this.reasoning.open = false;
    } else {
      this.summary.textContent = "Thinking…";
      this.reasoning.dataset.streaming = "";
      if (!this.userOpenedReasoning) this.reasoning.open = true;
    }

    renderMarkdown(this.answer, this.text, { final: terminal });
    this.typing.hidden = terminal || this.text !== "" || this.reasoningText !== "";

    const message = statusMessage(this.status, this.errorText);
    this.error.hidden = !terminal || this.status === "completed" || !message;
    this.error.textContent = message;
    this.retry.hidden = !this.retryable;
    this.regenerate.hidden = !terminal;
    this.copy.hidden = !terminal || this.text === "";
    this.renderVersions();

    this.meta.replaceChildren();
    if (terminal && this.usage) {
      const u = this.usage;
      for (const part of [
        `${u.input_tokens} input tokens`,
        `${u.cached_tokens} cached`,
        `${u.output_tokens} output`,
        `${u.reasoning_tokens} reasoning`,
        ...(u.cost == null ? [] : [`$${u.cost}`]),
      ]) this.meta.append(el("span", "", part));
    }
  }
}
