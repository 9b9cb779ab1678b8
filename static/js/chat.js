// The chat page: renders history and live turns with one code path, and speaks the websocket protocol.
import { AttachmentTray, setupAttachInputs } from "./attachments.js";
import { setupDialogs } from "./dialogs.js";
import { ChatSocket } from "./socket.js";
import { TERMINAL, TurnView, endAnnouncement } from "./turns.js";

const config = JSON.parse(document.getElementById("chat-config").textContent);
const list = document.getElementById("turns");
const form = document.getElementById("composer");
const input = document.getElementById("message");
const sendButton = document.getElementById("send");
const stopButton = document.getElementById("stop");
const attachButton = document.getElementById("attach");
const alertLine = document.getElementById("chat-alert");
const statusLine = document.getElementById("chat-status");
const jumpButton = document.getElementById("jump-latest");
const views = new Map();
const tray = new AttachmentTray({
  tray: document.getElementById("attachment-tray"),
  uploadUrl: config.uploadUrl,
  csrfToken: form.elements.csrfmiddlewaretoken.value,
  onError: showAlert,
});
let pendingText = null;
let pendingFiles = null;
let stickToBottom = true;
let leaving = false;
let deleted = false;
let stopFocused = false;
let announcing = null;

// Whether the alert says the socket is down: only that one goes when it is back up (a file
// refused while the socket was still opening must stay).
let connectionAlert = false;

function showAlert(message, { connection = false } = {}) {
  alertLine.textContent = message;
  alertLine.hidden = !message;
  connectionAlert = connection;
}

// The polite live region speaks when an answer ends, never per token. Emptied first, so the
// same sentence twice in a row ("Answer complete.") is announced twice.
function announce(message) {
  statusLine.textContent = "";
  clearTimeout(announcing);
  announcing = setTimeout(() => { statusLine.textContent = message; }, 100);
}

function generating() {
  for (const view of views.values()) if (!view.terminal) return true;
  return false;
}

function refreshControls() {
  const busy = generating();
  // A Stop pressed from the keyboard hides when the answer ends: the message box takes the
  // focus, rather than the page (the button is disabled, so it has lost the focus already).
  if ((!busy || deleted) && stopFocused) input.focus();
  if (!busy) stopFocused = false;
  stopButton.hidden = !busy || deleted;
  if (!busy) stopButton.disabled = false;
  sendButton.disabled = busy || deleted;
  input.disabled = deleted;
  attachButton.disabled = deleted;
  for (const view of views.values()) view.setBusy(busy || deleted);
  jumpButton.hidden = stickToBottom || !busy;
  markGenerating(document.querySelector('nav a[aria-current="page"]'), busy);
}

// The sidebar's dot (and its hidden "(generating)") show while the link carries data-generating.
function markGenerating(link, busy) {
  if (!link) return;
  if (busy) link.dataset.generating = "true";
  else delete link.dataset.generating;
}

function addOrUpdate(turn) {
  const existing = views.get(turn.id);
  if (existing) {
    existing.update(turn);
    return existing;
  }
  document.getElementById("turns-empty")?.remove();
  const view = new TurnView(turn, branchActions);
  views.set(turn.id, view);
  const after = [...list.querySelectorAll(".turn")].find(
    (node) => Number(node.dataset.position) > turn.position,
  );
  list.insertBefore(view.element, after || null);
  return view;
}

// The page shows one branch: a turn at a depth replaces the turn shown there and those after it.
function dropFrom(position) {
  for (const [id, view] of views) {
    if (view.position < position) continue;
    view.element.remove();
    views.delete(id);
  }
}

// The last turn on screen: a message sent from this tab follows it, whatever other tabs show.
function lastShown() {
  return [...views.values()].reduce((last, view) => (!last || view.position > last.position ? view : last), null);
}

// A new turn on the branch on screen, or on another one (started in another tab): then the
// whole path is fetched again.
function showCreated(turn) {
  const parentShown = turn.parent_id === null || views.has(turn.parent_id);
  if (!parentShown) {
    resync();
    return;
  }
  dropFrom(turn.position);
  addOrUpdate(turn);
}

const branchActions = {
  edit(view, text) {
    // The edited message keeps its files (sent again, the server copies them to the new version).
    return send({ type: "message.send", text, edit_of: view.id, attachments: view.attachmentIds }, text);
  },
  regenerate(view) {
    send({ type: "turn.regenerate", turn_id: view.id }, null);
  },
  select(turnId) {
    if (generating() || deleted) return;
    socket.send({ type: "branch.select", turn_id: turnId });
  },
};

// Mirrors services.turns._title_from_message: one line, at most 60 characters, cut between words.
function titleFromMessage(text) {
  const line = text.split(/\s+/).filter(Boolean).join(" ");
  if (line.length <= 60) return line || "New chat";
  let head = line.slice(0, 59);
  if (line[59] !== " " && head.includes(" ")) head = head.slice(0, head.lastIndexOf(" "));
  return `${head.trimEnd()}…`;
}

// Mirrors services.turn_create: the first message names a conversation still called "New chat".
function adoptTitle(turn) {
  const heading = document.querySelector(".chat-title");
  if (turn.position !== 0 || heading.textContent !== "New chat") return;
  showTitle(titleFromMessage(turn.user_text));
}

// The title everywhere this page shows it: heading, sidebar, rename field, window title.
function showTitle(title) {
  for (const node of document.querySelectorAll("[data-conversation-title]")) node.textContent = title;
  const sidebarTitle = document.querySelector('nav a[aria-current="page"] .conversation-title');
  if (sidebarTitle) sidebarTitle.textContent = title;
  const renameField = document.querySelector('#rename-dialog input[name="title"]');
  if (renameField) renameField.value = title;
  document.title = `${title} · chatsite`;
}

const handlers = {
  "turn.created": (message) => {
    // The last answer's "Answer complete." is over: a new one is being written.
    clearTimeout(announcing);
    statusLine.textContent = "";
    showCreated(message.turn);
    adoptTitle(message.turn);
    pendingText = null;
    pendingFiles = null;
  },
  // Another version was put on screen, in this tab or another: fetch the path it shows now.
  "branch.selected": () => resync(),
  "turn.response": (message) => views.get(message.turn_id)?.setResponseId(message.response_id),
  "turn.delta": (message) => views.get(message.turn_id)?.applyDelta(message),
  "turn.reasoning_done": (message) => views.get(message.turn_id)?.reasoningDone(message.seconds),
  "turn.tool_call": (message) => views.get(message.turn_id)?.toolCall(message.call),
  // Another server process re-attached to the turn: its checkpoint, then deltas after seq.
  "turn.resumed": (message) => addOrUpdate(message.turn).resumeFrom(message.seq),
  "turn.finished": (message) => {
    addOrUpdate(message.turn);
    announce(endAnnouncement(message.turn));
  },
  // A turn of any of the user's conversations started or ended, maybe in another tab.
  "conversation.generating": (message) =>
    markGenerating(
      document.querySelector(`nav a[data-conversation-id="${CSS.escape(message.conversation_id)}"]`),
      message.generating,
    ),
  // Renamed in another tab or window.
  "conversation.renamed": (message) => showTitle(message.title),
  // Deleted in another tab or window: nothing more can be sent here.
  "conversation.deleted": () => {
    deleted = true;
    // Its Settings, Rename and Delete would only lead to "not found"; its sidebar entry is gone.
    document.querySelector(".chat-actions")?.remove();
    document.querySelector('nav a[aria-current="page"]')?.closest("li")?.remove();
    showAlert("This conversation has been deleted.");
  },
  error: (message) => {
    showAlert(message.message || "Something went wrong.");
    // Give back a message the server refused, unless the user has started typing another.
    if (pendingText && input.value === "") input.value = pendingText;
    if (pendingFiles) tray.restore(pendingFiles);
    pendingText = null;
    pendingFiles = null;
  },
};

// After a reconnect or a branch change, the path on screen is fetched in one request: turns
// that finished while the socket was down, or another branch's turns.
async function resync() {
  const response = await fetch(config.turnsUrl, { headers: { Accept: "application/json" } });
  if (!response.ok) return;
  const { turns } = await response.json();
  const onPath = new Set(turns.map((turn) => turn.id));
  for (const [id, view] of views) {
    if (onPath.has(id)) continue;
    view.element.remove();
    views.delete(id);
  }
  for (const turn of turns) {
    // A running turn we already show keeps streaming from the replay; the rest take the server's state.
    if (!TERMINAL.has(turn.status) && views.has(turn.id)) continue;
    addOrUpdate(turn);
  }
  refreshControls();
}

// A running turn shown from its checkpoint (after a reload) asks for the whole log: after=0.
function replayAfter() {
  const live = [...views.values()].filter((view) => !view.terminal).at(-1);
  return live ? Math.max(live.lastSeq, 0) : null;
}

// History first: the socket connects at once, and its URL asks for a replay after the running
// turn's last seq (after=0 for one shown from its checkpoint), which replayAfter() reads from views.
for (const turn of JSON.parse(document.getElementById("turns-data").textContent)) addOrUpdate(turn);

const socket = new ChatSocket(config.socketPath, {
  replayAfter,
  onMessage(message) {
    handlers[message.type]?.(message);
    refreshControls();
  },
  onOpen(reconnected) {
    if (connectionAlert) showAlert("");
    if (reconnected) resync();
  },
  onDown(final) {
    if (leaving) return;
    const message = final ? "This conversation cannot be opened here." : "Connection lost. Reconnecting…";
    showAlert(message, { connection: true });
  },
});

// Sends a frame that starts a turn, unless one is running or waits for its turn.created;
// `text` is given back to the message box if the server refuses it. False when not sent.
function send(frame, text) {
  if (generating() || pendingText !== null || deleted) return false;
  socket.send(frame);
  pendingText = text ?? "";
  stickToBottom = true;
  return true;
}

function autosize() {
  input.style.height = "auto";
  input.style.height = `${input.scrollHeight + 2}px`;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value;
  const attachments = tray.ids();
  if (!text.trim() && !attachments.length) return;
  if (tray.uploading) {
    showAlert("Wait for the attached files to finish uploading.");
    return;
  }
  const frame = { type: "message.send", text, attachments };
  const last = lastShown();
  if (last) frame.parent = last.id;
  if (!send(frame, text)) return;
  pendingFiles = tray.take();
  input.value = "";
  autosize();
  stickToBottom = true;
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    form.requestSubmit();
  }
});
input.addEventListener("input", autosize);

function stop() {
  socket.send({ type: "turn.stop" });
  stopButton.disabled = true;
}

stopButton.addEventListener("click", () => {
  stopFocused = document.activeElement === stopButton;
  stop();
});

// Esc stops the reply being written, wherever the focus is (a dialog's Esc closes the dialog).
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || event.defaultPrevented || document.querySelector("dialog[open]")) return;
  if (!generating() || deleted || stopButton.disabled) return;
  event.preventDefault();
  stop();
});

// Follow the stream only while the reader is at the bottom; scrolling up pauses it, and
// "Jump to latest" brings it back.
list.addEventListener("scroll", () => {
  stickToBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  jumpButton.hidden = stickToBottom || !generating();
});
jumpButton.addEventListener("click", () => {
  stickToBottom = true;
  list.scrollTop = list.scrollHeight;
  jumpButton.hidden = true;
  input.focus();
});
new MutationObserver(() => {
  if (stickToBottom) list.scrollTop = list.scrollHeight;
}).observe(list, { childList: true, subtree: true, characterData: true });

window.addEventListener("pagehide", () => { leaving = true; });

refreshControls();
// The message box was disabled until now (chat.html); it takes the focus autofocus would have.
if (document.activeElement === document.body) input.focus();
setupDialogs();
setupAttachInputs({
  tray,
  button: attachButton,
  fileInput: document.getElementById("attach-input"),
  textarea: input,
  dropZone: document.querySelector(".composer-wrap"),
});
// The Export menu closes once a format is chosen (its download leaves the page as it was).
const exportMenu = document.querySelector("details.menu");
exportMenu?.addEventListener("click", (event) => {
  if (event.target.closest("a")) exportMenu.open = false;
});
// A search hit's turn (#turn-<n>) is scrolled into view and kept there; otherwise the latest.
const target = location.hash.startsWith("#turn-") && document.getElementById(location.hash.slice(1));
if (target) {
  stickToBottom = false;
  target.scrollIntoView({ block: "start" });
} else {
  list.scrollTop = list.scrollHeight;
}
