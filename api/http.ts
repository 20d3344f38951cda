import type { Context } from "hono";
import { z } from "zod";
import { AppError } from "./errors";

/**
 * Reads a write's JSON body and validates it. A body that is not a JSON object (empty, malformed, an array, a bare
 * value) is 400 `invalid_json`; an object that breaks the schema is 422 with details. The content type is not
 * checked: `curl -d` sends JSON labelled as a form, and the README's examples rely on it.
 */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const text = await c.req.text();
  if (text.trim() === "") throw new AppError("invalid_json", "The request body is empty: send a JSON object");
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new AppError("invalid_json", "The request body is not valid JSON");
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new AppError("invalid_json", "The request body must be a JSON object");
  }
  refusePrototypeKeys(data);
  return validate(schema, data);
}

export function validate<S extends z.ZodType>(schema: S, data: unknown): z.output<S> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    const first = details[0]!;
    throw new AppError("validation_failed", first.path ? `${first.path}: ${first.message}` : first.message, details);
  }
  return parsed.data;
}

/**
 * JSON.parse keeps a `"__proto__"` key as an own property, but a schema copying the object drops it without a word:
 * `{"components": {"__proto__": "major_outage"}}` would pass as an empty map. No Marquee body has such a key, so it
 * is refused wherever it appears. An explicit stack, since a 64 KB body can nest deeper than the call stack.
 */
function refusePrototypeKeys(data: object) {
  const stack: [unknown, string][] = [[data, ""]];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (value === null || typeof value !== "object") continue;
    for (const key of Object.keys(value)) {
      const at = path ? `${path}.${key}` : key;
      if (key === "__proto__") {
        const message = path === "components" ? `Unknown component id: ${key}` : `"${key}" is not an accepted key`;
        throw new AppError("validation_failed", `${at}: ${message}`, [{ path: at, message }]);
      }
      stack.push([(value as Record<string, unknown>)[key], at]);
    }
  }
}

export type FormBody = Record<string, string | File | (string | File)[]>;

/**
 * Reads a form body, urlencoded or multipart. One that cannot be parsed (multipart without its boundary, broken
 * parts) is the client's mistake: 400 `bad_request`, never a server error with a stack in the log.
 */
export async function readForm(c: Context): Promise<FormBody> {
  try {
    return await c.req.parseBody({ all: true });
  } catch {
    throw new AppError("bad_request", "The form could not be read. Reload the page and send it again.");
  }
}
