// The colour theme: the system's, unless the switch chose one (remembered in this browser).
// A classic script in <head>, so the page is painted in the chosen theme from the start.
(() => {
  const KEY = "chatsite-theme";
  const root = document.documentElement;

  function stored() {
    try {
      return localStorage.getItem(KEY) || "system";
    } catch {
      return "system"; // storage refused (privacy settings): follow the system
    }
  }

  function apply(theme) {
    if (theme === "light" || theme === "dark") root.dataset.theme = theme;
    else delete root.dataset.theme;
    // Stylesheets made for one scheme (code highlighting) follow the switch too.
    for (const link of document.querySelectorAll("link[data-scheme]")) {
      const scheme = link.dataset.scheme;
      link.media = root.dataset.theme
        ? (scheme === theme ? "all" : "not all")
        : `(prefers-color-scheme: ${scheme})`;
    }
    const select = document.getElementById("theme");
    if (select) select.value = theme;
  }

  function choose(theme) {
    try {
      if (theme === "system") localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, theme);
    } catch {
      // Not remembered, but still applied to this page.
    }
    apply(theme);
  }

  apply(stored());
  document.addEventListener("DOMContentLoaded", () => {
    apply(stored());
    document.getElementById("theme")?.addEventListener("change", (event) => choose(event.target.value));
  });
  // Chosen in another tab: this one follows.
  window.addEventListener("storage", (event) => {
    if (event.key === KEY || event.key === null) apply(stored());
  });
})();
