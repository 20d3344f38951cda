import type { Context } from "hono";
import { z } from "zod";
import { AppError } from "./errors";

/** Reads a JSON body and validates it. Malformed JSON is 400; a body that breaks the schema is 422 with details. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const text = await c.req.text();
  let data: unknown;
  try {
    data = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new AppError("invalid_json", "The request body is not valid JSON");
  }
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
