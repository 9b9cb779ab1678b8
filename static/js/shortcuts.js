// Keyboard shortcuts on every app page, and the `?` list of them (chat.js adds Esc for Stop).

const dialog = document.getElementById("shortcuts-dialog");
const search = document.querySelector('input[aria-label="Search conversations"]');
const newChat = document.querySelector('button[aria-keyshortcuts="Control+Shift+O"]');

function typing(target) {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

function showHelp() {
  if (!dialog.open) dialog.showModal();
}

document.addEventListener("keydown", (event) => {
  const mod = event.ctrlKey || event.metaKey;
  const key = event.key.toLowerCase();
  if (mod && event.shiftKey && key === "o") {
    event.preventDefault();
    newChat?.form.requestSubmit();
  } else if (mod && !event.shiftKey && key === "k") {
    event.preventDefault();
    search?.focus();
    search?.select();
  } else if (event.key === "?" && !mod && !typing(event.target) && !document.querySelector("dialog[open]")) {
    event.preventDefault();
    showHelp();
  }
});

// A plain GET form would land on "/?"; the new chat's address is its action.
newChat?.form.addEventListener("submit", (event) => {
  event.preventDefault();
  location.assign(newChat.form.action);
});

document.getElementById("shortcuts-open")?.addEventListener("click", showHelp);
dialog.querySelector("[data-close-dialog]").addEventListener("click", () => dialog.close());
