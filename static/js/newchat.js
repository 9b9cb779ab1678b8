// The new-chat page: Enter sends the first message (and its files), which creates the
// conversation in one POST; the page it lands on streams the reply.
import { AttachmentTray, setupAttachInputs } from "./attachments.js";

const form = document.getElementById("composer");
const input = form.querySelector("textarea");
const sendButton = document.getElementById("send");
const attachButton = document.getElementById("attach");
const alertLine = document.getElementById("chat-alert");
let sending = false;

function showAlert(message) {
  alertLine.textContent = message;
  alertLine.hidden = !message;
}

const tray = new AttachmentTray({
  tray: document.getElementById("attachment-tray"),
  uploadUrl: form.dataset.uploadUrl,
  csrfToken: form.elements.csrfmiddlewaretoken.value,
  onError: showAlert,
});

function autosize() {
  input.style.height = "auto";
  input.style.height = `${input.scrollHeight + 2}px`;
}

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    form.requestSubmit();
  }
});
input.addEventListener("input", autosize);

form.addEventListener("submit", (event) => {
  const ids = tray.ids();
  // One conversation per message: a second Enter while the page changes sends nothing more.
  if (sending || (!input.value.trim() && !ids.length)) {
    event.preventDefault();
    return;
  }
  if (tray.uploading) {
    event.preventDefault();
    showAlert("Wait for the attached files to finish uploading.");
    return;
  }
  for (const id of ids) {
    const field = document.createElement("input");
    field.type = "hidden";
    field.name = "attachments";
    field.value = id;
    form.append(field);
  }
  sending = true;
  sendButton.disabled = true;
});

setupAttachInputs({
  tray,
  button: attachButton,
  fileInput: document.getElementById("attach-input"),
  textarea: input,
  dropZone: document.querySelector(".composer-wrap"),
});
attachButton.disabled = false;
autosize();
if (document.activeElement !== input) input.focus();
