// Shows every <time datetime> in the reader's own time zone, named. Without JavaScript the page shows its own zone.
(() => {
  const clock = { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short" };
  const time = new Intl.DateTimeFormat("en-US", clock);
  const dateTime = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "short", day: "numeric", ...clock });
  const day = new Intl.DateTimeFormat("en-US", { dateStyle: "short" });
  const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  const ago = (at) => {
    const minutes = Math.round((at - Date.now()) / 60000);
    if (Math.abs(minutes) < 60) return relative.format(minutes, "minute");
    if (Math.abs(minutes) < 1440) return relative.format(Math.round(minutes / 60), "hour");
    return relative.format(Math.round(minutes / 1440), "day");
  };
  const localize = (root) => {
    let previous = NaN;
    for (const el of root.querySelectorAll("time[datetime]")) {
      const at = Date.parse(el.dateTime);
      if (Number.isNaN(at)) continue;
      // The end of a span leaves out its date when it falls on the start's day, which can differ from zone to zone.
      const short = el.dataset.format === "time" && previous > 0 && day.format(previous) === day.format(at);
      el.textContent = (short ? time : dateTime).format(at) + (el.hasAttribute("data-ago") ? `, ${ago(at)}` : "");
      previous = at;
    }
  };
  window.marqueeTimes = localize;
  localize(document);
})();
