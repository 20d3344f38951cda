// Keeps the status page current while it is open (docs/status-page.md). At load and then every `data-every` seconds
// while the tab is visible, it asks summary.json for changes with If-None-Match, so an unchanged page costs a 304.
// A change updates the banner and the component states in place; when the open incidents or maintenances changed,
// it fetches the page itself and swaps in their sections. Without this script the page is complete, only static.
(() => {
  const script = document.currentScript;
  const states = JSON.parse(script.dataset.states);
  const icons = document.getElementById("status-icons").content;
  const banner = document.querySelector(".banner");
  const stamp = document.createElement("p");
  stamp.className = "meta";
  stamp.id = "updated";
  banner.after(stamp);
  const clock = new Intl.DateTimeFormat("en-US", {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
  let etag = null;
  let busy = false;
  let updated = null;

  const show = (el, tone, label) => {
    el.className = el.className.replace(/tone-\w+/, `tone-${tone}`);
    el.replaceChildren(icons.querySelector(`.tone-${tone} svg`).cloneNode(true), label);
  };
  const signature = (items) =>
    items
      .map((i) => `${i.id}@${Date.parse(i.updated_at)}`)
      .sort()
      .join(" ");

  async function swap(ids) {
    const response = await fetch(location.pathname, { cache: "no-cache" });
    if (!response.ok) throw new Error(`the page answered ${response.status}`);
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const id of ids) {
      const next = fresh.getElementById(id);
      if (next) document.getElementById(id)?.replaceWith(next);
    }
  }

  async function apply(summary) {
    const { indicator, description } = summary.status;
    show(banner, indicator === "none" ? "ok" : indicator, description);
    let layoutChanged = false;
    for (const c of summary.components) {
      const el = document.querySelector(`[data-component="${CSS.escape(c.id)}"]`);
      const shown = !c.only_show_if_degraded || c.status !== "operational";
      if (!el) {
        layoutChanged ||= shown && !c.group;
        continue;
      }
      layoutChanged ||= !shown;
      show(el, ...states[c.status]);
      if (c.group && c.status !== "operational") el.closest("details").open = true;
    }
    const ids = [];
    const open = signature([...summary.incidents, ...summary.scheduled_maintenances]);
    if (document.getElementById("now").dataset.signature !== open) ids.push("now", "past-incidents");
    if (layoutChanged) ids.push("component-list");
    if (ids.length > 0) await swap(ids);
  }

  async function check() {
    if (busy || document.hidden) return;
    busy = true;
    try {
      const response = await fetch("/api/v2/summary.json", {
        cache: "no-store",
        headers: etag ? { "If-None-Match": etag } : {},
      });
      if (response.status === 200) {
        await apply(await response.json());
        etag = response.headers.get("ETag");
      } else if (response.status !== 304) {
        throw new Error(`summary.json answered ${response.status}`);
      }
      updated = clock.format(Date.now());
      stamp.textContent = `Updated ${updated}`;
    } catch {
      stamp.textContent = `${updated ? `Updated ${updated}. ` : ""}Could not check for news; trying again.`;
    } finally {
      busy = false;
      window.marqueeTimes?.(document);
    }
  }

  setInterval(check, Number(script.dataset.every) * 1000);
  document.addEventListener("visibilitychange", check);
  check();
})();
