// Rename and Delete open a modal <dialog>; without script the same buttons open a page instead.

export function setupDialogs(root = document) {
  for (const form of root.querySelectorAll("form[data-dialog]")) {
    const dialog = document.getElementById(form.dataset.dialog);
    if (!dialog || typeof dialog.showModal !== "function") continue;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      dialog.showModal();
      const field = dialog.querySelector("input:not([type=hidden])");
      if (field) field.select();
    });
  }
  for (const button of root.querySelectorAll("[data-close-dialog]")) {
    button.addEventListener("click", () => button.closest("dialog").close());
  }
}
