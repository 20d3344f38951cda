/**
 * A strict parser of the Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/): it throws on anything a scraper would reject or
 * misread — a sample before its TYPE, a name outside its family, a bad label or value, a repeated series, a missing
 * final newline.
 */
export type Sample = { name: string; labels: Record<string, string>; value: number };
export type Family = { name: string; type: string; help: string; samples: Sample[] };

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const types = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const suffixes: Record<string, string[]> = {
  counter: [""],
  gauge: [""],
  untyped: [""],
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["", "_sum", "_count"],
};

export function parsePrometheusText(text: string): Map<string, Family> {
  if (!text.endsWith("\n")) throw new Error("the exposition must end with a newline");
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  let current: Family | undefined;
  text
    .slice(0, -1)
    .split("\n")
    .forEach((line, index) => {
      const fail = (why: string): never => {
        throw new Error(`line ${index + 1}: ${why}: ${JSON.stringify(line)}`);
      };
      if (line === "") return;
      const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (meta) {
        const [, kind, name, rest] = meta as unknown as [string, string, string, string];
        if (!metricName.test(name)) fail("bad metric name");
        const family = families.get(name) ?? { name, type: "", help: "", samples: [] };
        if (family.samples.length) fail("HELP or TYPE after the family's samples");
        if (kind === "TYPE") {
          if (!types.has(rest) || family.type) fail("bad or repeated TYPE");
          family.type = rest;
        } else family.help = rest;
        families.set(name, family);
        current = family;
        return;
      }
      if (line.startsWith("#")) return;
      const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(line);
      if (!sample) return fail("not a sample");
      const [, name, labelText = "", valueText] = sample as unknown as [string, string, string | undefined, string];
      if (!current?.type) return fail("a sample before its TYPE");
      if (!suffixes[current.type]!.some((s) => name === current!.name + s)) fail(`not part of ${current.name}`);
      const labels: Record<string, string> = {};
      let rest = labelText;
      while (rest.length) {
        const label = /^([^=,"]+)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/.exec(rest);
        if (!label || !labelName.test(label[1]!)) return fail("bad label");
        if (label[1]! in labels) fail("repeated label");
        labels[label[1]!] = label[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
        rest = rest.slice(label[0].length);
      }
      // Prometheus reads values with Go's strconv.ParseFloat, which takes NaN and Inf in any case (prom-client writes
      // "Nan" for a lag not yet measured).
      if (!/^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf|infinity)$|^nan$/i.test(valueText))
        fail("bad value");
      const series = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
      if (seen.has(series)) fail("repeated series");
      seen.add(series);
      const special = valueText.replace(/^[+-]/, "").toLowerCase();
      const sign = valueText.startsWith("-") ? -1 : 1;
      const value = special === "nan" ? NaN : special.startsWith("inf") ? sign * Infinity : Number(valueText);
      current.samples.push({ name, labels, value });
    });
  return families;
}

/** The value of one series, or undefined when it is not exposed. */
export function valueOf(families: Map<string, Family>, name: string, labels: Record<string, string> = {}) {
  for (const family of families.values()) {
    for (const s of family.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}
