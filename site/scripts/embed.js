// The embed for customers' own sites (docs/embed.md): `<script src="https://status.example.com/embed.js" async>`.
// It shows a small notice while an incident is open or a maintenance is under way, and nothing when all is well. It
// reads summary.json from the origin it was loaded from (revalidated with the browser's cache: an unchanged page
// costs a 304), every 60 s while the tab is visible and never faster. The notice lives in a shadow root with its own
// styles, so the host page's CSS does not reach it and its CSS does not reach the host. Text from the status page is
// set as text, never as HTML.
(() => {
  const script = document.currentScript;
  if (!script) return;
  const origin = new URL(script.src).origin;
  const options = script.dataset;
  const position = options.position || "bottom-right";
  const watched = (options.components || "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  const soonMs = (Number(options.upcoming) || 0) * 3_600_000;
  const every = 60_000;
  const storageKey = `marquee-embed:${origin}`;

  const host = document.createElement("div");
  const root = host.attachShadow({ mode: "open" });
  // The host element itself matches the host page's selectors (`div { … }`): only an !important rule from inside
  // its shadow root outranks those (https://drafts.csswg.org/css-cascade-5/#cascade-context).
  const css = `:host{all:initial!important;display:block!important}
.n{all:initial;box-sizing:border-box;display:flex;gap:.75em;align-items:flex-start;max-width:24rem;padding:.75em 1em;
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#fff;
border:1px solid #d0d7de;border-left:4px solid var(--t);border-radius:6px;box-shadow:0 4px 12px rgb(0 0 0/.15);
z-index:2147483000}
.f{position:fixed;margin:0}.bottom{bottom:1rem}.top{top:1rem}.right{right:1rem}.left{left:1rem}
.major{--t:#cf222e}.minor{--t:#9a6700}.maint{--t:#0969da}
.b{flex:1}strong{display:block;font-weight:600}ul{margin:.25em 0 0;padding:0;list-style:none}
a{color:#0550ae;text-decoration:underline}a:focus-visible,button:focus-visible{outline:2px solid #0969da;outline-offset:2px}
button{all:initial;cursor:pointer;font:18px/1 system-ui,sans-serif;color:inherit;padding:.1em .3em;border-radius:4px}
@media (prefers-color-scheme:dark){.n{color:#e6edf3;background:#161b22;border-color:#30363d;border-left-color:var(--t)}
a{color:#79c0ff}.major{--t:#f85149}.minor{--t:#d29922}.maint{--t:#4493f8}}
@media (prefers-reduced-motion:no-preference){.n{animation:i .2s ease-out}}
@keyframes i{from{opacity:0;transform:translateY(.5rem)}}`;
  if (root.adoptedStyleSheets && window.CSSStyleSheet) {
    // A constructed sheet is not an inline <style>, so a host page whose CSP allows no inline styles still works.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } else {
    root.append(Object.assign(document.createElement("style"), { textContent: css }));
  }
  // The live region is there from the start, so a notice appearing in it is announced.
  const live = document.createElement("div");
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  root.append(live);

  const el = (tag, text = "", props = {}) => Object.assign(document.createElement(tag), { textContent: text }, props);
  const labels = {
    investigating: "Investigating",
    identified: "Identified",
    monitoring: "Monitoring",
    in_progress: "Maintenance in progress",
    verifying: "Maintenance: verifying",
    scheduled: "Scheduled maintenance",
  };
  const dismissed = () => {
    try {
      return JSON.parse(sessionStorage.getItem(storageKey) || "[]");
    } catch {
      return [];
    }
  };
  const remember = (ids) => {
    try {
      sessionStorage.setItem(storageKey, JSON.stringify([...new Set([...dismissed(), ...ids])]));
    } catch {
      // Storage refused (a sandboxed frame, privacy settings): the notice stays dismissed until the page reloads.
    }
  };

  const concerns = (item) =>
    !watched.length ||
    (item.components || []).some(
      (c) => watched.includes(String(c.id).toLowerCase()) || watched.includes(String(c.name).toLowerCase()),
    );

  /** What is wrong now (open incidents, maintenances under way, and those starting within `data-upcoming` hours). */
  function itemsOf(summary) {
    const now = Date.now();
    const maintenances = (summary.scheduled_maintenances || []).filter(
      (m) =>
        m.status === "in_progress" ||
        m.status === "verifying" ||
        (m.status === "scheduled" && soonMs > 0 && Date.parse(m.scheduled_for) - now <= soonMs),
    );
    const hidden = dismissed();
    return [...(summary.incidents || []), ...maintenances].filter((i) => concerns(i) && !hidden.includes(i.id));
  }

  let shown = "";
  function show(summary) {
    const items = itemsOf(summary);
    const signature = items.map((i) => `${i.id}@${i.updated_at}`).join(" ");
    if (signature === shown) return;
    shown = signature;
    if (!items.length) return live.replaceChildren();
    if (!host.isConnected) {
      if (position === "inline" && script.isConnected && script.parentNode !== document.head) script.after(host);
      else document.body.append(host);
    }
    const impacts = items.map((i) => i.impact);
    const tone = impacts.some((i) => i === "major" || i === "critical")
      ? "major"
      : impacts.some((i) => i === "minor" || i === "none")
        ? "minor"
        : "maint";
    const [vertical, horizontal] = position.split("-");
    const box = el("section", "", {
      className: `n ${tone}${position === "inline" ? "" : ` f ${vertical} ${horizontal}`}`,
    });
    box.setAttribute("aria-label", `${summary.page.name} status`);
    const list = el("ul");
    for (const item of items) {
      const label = labels[item.status] || "Incident";
      const when =
        item.status === "scheduled"
          ? ` (${new Date(item.scheduled_for).toLocaleString([], { dateStyle: "medium", timeStyle: "short" })})`
          : "";
      const link = el("a", item.name, { href: `${origin}/incidents/${encodeURIComponent(item.id)}` });
      const line = el("li", `${label}${when}: `);
      line.append(link);
      list.append(line);
    }
    const body = el("div", "", { className: "b" });
    body.append(el("strong", summary.page.name), list);
    const close = el("button", "×", { type: "button" });
    close.setAttribute("aria-label", "Dismiss this notice");
    close.onclick = () => {
      remember(items.map((i) => i.id));
      shown = "";
      live.replaceChildren();
    };
    box.append(body, close);
    live.replaceChildren(box);
  }

  let last = 0;
  let timer;
  async function poll() {
    clearTimeout(timer);
    if (document.visibilityState === "hidden") return;
    last = Date.now();
    try {
      // no-cache: always revalidate with the ETag the browser's cache holds, never show a copy without asking.
      const response = await fetch(`${origin}/api/v2/summary.json`, { cache: "no-cache", credentials: "omit" });
      if (response.ok) show(await response.json());
    } catch {
      // Offline or the page unreachable: keep what is shown and try again at the next turn.
    }
    timer = setTimeout(poll, every);
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible") return;
    clearTimeout(timer);
    const wait = last + every - Date.now();
    if (wait <= 0) poll();
    else timer = setTimeout(poll, wait);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", poll);
  else poll();
})();
