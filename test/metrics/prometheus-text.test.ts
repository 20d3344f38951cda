import { describe, expect, it } from "vitest";
import { parsePrometheusText, valueOf } from "./prometheus-text";

const good = `# HELP a_total Things.
# TYPE a_total counter
a_total{kind="page",status_class="2xx"} 3
a_total{kind="api",status_class="4xx"} 1
# TYPE d_seconds histogram
d_seconds_bucket{le="0.1"} 1
d_seconds_bucket{le="+Inf"} 2
d_seconds_sum 0.35
d_seconds_count 2
# TYPE g gauge
g NaN
`;

describe("the strict Prometheus text parser the metrics tests use", () => {
  it("reads families, labels and values", () => {
    const families = parsePrometheusText(good);
    expect(families.get("a_total")?.type).toBe("counter");
    expect(valueOf(families, "a_total", { kind: "api" })).toBe(1);
    expect(valueOf(families, "d_seconds_bucket", { le: "+Inf" })).toBe(2);
    expect(valueOf(families, "g")).toBeNaN();
  });

  it.each([
    ["no final newline", good.slice(0, -1)],
    ["a sample before its TYPE", "x 1\n"],
    ["a sample outside its family", "# TYPE a counter\nb 1\n"],
    ["a histogram sample without its suffix", "# TYPE h histogram\nh 1\n"],
    ["an unquoted label", "# TYPE a counter\na{kind=page} 1\n"],
    ["a bad label name", '# TYPE a counter\na{1kind="x"} 1\n'],
    ["a repeated label", '# TYPE a counter\na{k="x",k="y"} 1\n'],
    ["a bad value", "# TYPE a counter\na one\n"],
    ["a repeated series", '# TYPE a counter\na{k="x"} 1\na{k="x"} 2\n'],
    ["an unknown type", "# TYPE a thing\na 1\n"],
    ["a bad metric name", "# TYPE 1a counter\n"],
    ["a TYPE after samples", "# TYPE a counter\na 1\n# TYPE a counter\n"],
  ])("rejects %s", (_, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
