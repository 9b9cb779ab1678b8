// Files attached to a message: chosen, pasted or dropped, uploaded at once, shown as thumbnails.

// Mirrors conversations/uploads.py: the server checks the content; these spare a useless upload.
export const MAX_ATTACHMENTS = 10;
const MAX_FILE_BYTES = 10 * 2 ** 20;
const MAX_TEXT_BYTES = 512 * 2 ** 10;
const TEXTUAL = /^(text\/|application\/(json|xml|javascript|x-sh|x-python|toml|yaml))/;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function sizeText(bytes) {
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1).replace(/\.0$/, "")} MB`;
  return `${Math.max(Math.floor(bytes / 2 ** 10), 1)} KB`;
}

// The error a file would surely get from the server, or "" when only the server can tell.
function precheck(file) {
  if (file.size > MAX_FILE_BYTES) return `${file.name} is ${sizeText(file.size)}; files can be at most 10 MB.`;
  if (TEXTUAL.test(file.type) && file.size > MAX_TEXT_BYTES) {
    return `${file.name} is ${sizeText(file.size)}; text files can be at most 512 KB.`;
  }
  return "";
}

/** One attachment as shown in a message: an image thumbnail (alt = file name) or a file link. */
export function attachmentElement(attachment) {
  const link = el("a", `attachment attachment-${attachment.kind}`);
  link.href = attachment.url;
  if (attachment.kind === "image") {
    link.target = "_blank";
    link.rel = "noopener";
    const img = el("img");
    img.src = attachment.url;
    img.alt = attachment.name;
    img.loading = "lazy";
    link.append(img);
  } else {
    link.download = attachment.name;
    link.append(el("span", "attachment-name", attachment.name), el("span", "muted", sizeText(attachment.size)));
  }
  return link;
}

/** The message box's tray of files being attached: uploads them and keeps their ids in order. */
export class AttachmentTray {
  constructor({ tray, uploadUrl, csrfToken, onError }) {
    this.tray = tray;
    this.uploadUrl = uploadUrl;
    this.csrfToken = csrfToken;
    this.onError = onError;
    this.items = [];
  }

  get uploading() {
    return this.items.some((item) => !item.attachment);
  }

  /** The ids to send, in the order the files were attached. */
  ids() {
    return this.items.filter((item) => item.attachment).map((item) => item.attachment.id);
  }

  /** Take files the user chose, pasted or dropped; refuse what is surely refused. */
  add(files) {
    const errors = [];
    for (const file of files) {
      const error = this.items.length >= MAX_ATTACHMENTS
        ? `A message can carry at most ${MAX_ATTACHMENTS} files.`
        : precheck(file);
      if (error) errors.push(error);
      else this.upload(file);
    }
    if (errors.length) this.onError([...new Set(errors)].join(" "));
  }

  async upload(file) {
    const item = { name: file.name, attachment: null };
    item.element = this.chip(item, el("span", "attachment-name", `${file.name} (uploading…)`));
    this.items.push(item);
    this.render();
    const body = new FormData();
    body.append("file", file);
    let result;
    try {
      const response = await fetch(this.uploadUrl, {
        method: "POST", body, headers: { "X-CSRFToken": this.csrfToken, Accept: "application/json" },
      });
      result = await response.json().catch(() => ({ error: { message: `Uploading ${file.name} failed.` } }));
    } catch {
      result = { error: { message: `Uploading ${file.name} failed: the server cannot be reached.` } };
    }
    if (!this.items.includes(item)) return; // removed while uploading
    if (result.attachment) {
      item.attachment = result.attachment;
      item.element.replaceWith(this.chip(item, attachmentElement(result.attachment)));
    } else {
      this.remove(item);
      this.onError(result.error?.message || `Uploading ${file.name} failed.`);
    }
  }

  chip(item, content) {
    const chip = el("li", "tray-item");
    const remove = el("button", "btn-link tray-remove", "Remove");
    remove.type = "button";
    remove.setAttribute("aria-label", `Remove ${item.name}`);
    remove.addEventListener("click", () => this.remove(item));
    chip.append(content, remove);
    item.element = chip;
    return chip;
  }

  remove(item) {
    this.items = this.items.filter((other) => other !== item);
    this.render();
  }

  /** Empty the tray (its files were sent); restore() puts them back if the send is refused. */
  take() {
    const taken = this.items;
    this.items = [];
    this.render();
    return taken;
  }

  restore(items) {
    this.items = [...items, ...this.items];
    this.render();
  }

  render() {
    this.tray.replaceChildren(...this.items.map((item) => item.element));
    this.tray.hidden = this.items.length === 0;
  }
}

/** Wire the Attach button, its file input, paste into the message box and drop on the composer. */
export function setupAttachInputs({ tray, button, fileInput, textarea, dropZone }) {
  button.addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", () => {
    tray.add([...fileInput.files]);
    fileInput.value = "";
  });
  textarea.addEventListener("paste", (event) => {
    const files = [...(event.clipboardData?.files || [])];
    if (!files.length) return;
    event.preventDefault();
    tray.add(files);
  });
  dropZone.addEventListener("dragover", (event) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    dropZone.classList.add("dropping");
  });
  dropZone.addEventListener("dragleave", () => dropZone.classList.remove("dropping"));
  dropZone.addEventListener("drop", (event) => {
    dropZone.classList.remove("dropping");
    const files = [...(event.dataTransfer?.files || [])];
    if (!files.length) return;
    event.preventDefault();
    tray.add(files);
  });
}
