// Keeps /embed current while a customer's site shows it (docs/embed.md): every 60 s while the frame is visible, it
// revalidates the page itself (a 304 when nothing changed) and swaps in the new notice. Without it, /embed shows the
// state as of its load.
(() => {
  const now = document.getElementById("now");
  setInterval(async () => {
    if (document.visibilityState === "hidden") return;
    try {
      const response = await fetch(location.pathname, { cache: "no-cache" });
      if (!response.ok) return;
      const html = await response.text();
      const next = new DOMParser().parseFromString(html, "text/html").getElementById("now");
      if (!next || next.innerHTML === now.innerHTML) return;
      // The notice's colour stripe follows the worst of what it lists.
      now.parentElement.className = next.parentElement.className;
      now.replaceChildren(...next.childNodes);
    } catch {
      // Offline or unreachable: keep what is shown and try again at the next turn.
    }
  }, 60_000);
})();
