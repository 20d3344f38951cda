import { describe, expect, it } from "vitest";
import { parseConfig } from "@/api/config";

const configError = (env: Record<string, string>) => {
  try {
    parseConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  return null;
};

describe("email settings are checked at start", () => {
  it("an SMTP_URL that is not smtp:// or smtps:// stops the start, naming the variable", () => {
    expect(configError({ SMTP_URL: "foo://x" })).toMatch(/SMTP_URL: SMTP_URL must be an smtp:\/\/ or smtps:\/\//);
    expect(configError({ SMTP_URL: "not a url" })).toMatch(/SMTP_URL/);
    expect(configError({ SMTP_URL: "smtp://" })).toMatch(/SMTP_URL/);
    expect(configError({ SMTP_URL: "smtps://user:pass@smtp.example.com:465" })).toBeNull();
    expect(configError({ SMTP_URL: "smtp://127.0.0.1:2525" })).toBeNull();
  });

  it("an EMAIL_FROM that is not an address stops the start, naming the variable", () => {
    expect(configError({ EMAIL_FROM: "bogus" })).toMatch(/EMAIL_FROM: EMAIL_FROM must be an address/);
    expect(configError({ EMAIL_FROM: "Status <bogus>" })).toMatch(/EMAIL_FROM/);
    expect(configError({ EMAIL_FROM: "a@b, c@d" })).toMatch(/EMAIL_FROM/);
    expect(configError({ EMAIL_FROM: "status@example.com" })).toBeNull();
    expect(configError({ EMAIL_FROM: "Example Status <status@example.com>" })).toBeNull();
    expect(configError({ EMAIL_FROM: '"Example, Inc." <status@example.com>' })).toBeNull();
  });
});
