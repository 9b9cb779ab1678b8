// The new-chat page: Enter sends the first message, which creates the conversation (one POST).
const form = document.getElementById("composer");
const input = form.querySelector("textarea");
const sendButton = document.getElementById("send");
let sending = false;

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
  // One conversation per message: a second Enter while the page changes sends nothing more.
  if (sending || !input.value.trim()) {
    event.preventDefault();
    return;
  }
  sending = true;
  sendButton.disabled = true;
});

autosize();
if (document.activeElement !== input) input.focus();
