// Markdown to safe HTML: marked parses, DOMPurify strips anything that could run, highlight.js colours code.
import { Marked } from "marked";
import DOMPurify from "dompurify";
import hljs from "highlight.js";

const marked = new Marked({ gfm: true });

// Links from model output open in a new tab and pass no referrer or opener to the target.
DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A" && node.hasAttribute("href")) {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer nofollow");
  }
});

// Inline styles go too: the CSP would block them anyway, and a style can cover the whole page.
const PURIFY = { USE_PROFILES: { html: true }, FORBID_TAGS: ["style"], FORBID_ATTR: ["style"] };

/** Sanitised HTML for a Markdown string. */
export function markdownToHtml(text) {
  return DOMPurify.sanitize(marked.parse(text), PURIFY);
}

/** Render Markdown into target; `final` also auto-detects the language of unlabelled code. */
export function renderMarkdown(target, text, { final = false } = {}) {
  target.innerHTML = markdownToHtml(text);
  for (const code of target.querySelectorAll("pre > code")) {
    // Auto-detection is costly, so a stream only highlights blocks that name their language.
    if (final || /\blanguage-/.test(code.className)) {
      hljs.highlightElement(code);
    }
    code.parentElement.append(copyButton(code));
  }
}

function copyButton(code) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "btn copy-button";
  button.textContent = "Copy";
  button.addEventListener("click", async () => {
    const done = await copyText(code.textContent);
    button.textContent = done ? "Copied" : "Copy failed";
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  });
  return button;
}

/** Put text on the clipboard; false when the browser refused. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // The async clipboard needs a secure context; plain http on a LAN address falls back here.
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}
