import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeApp } from "../support/app";
import type { TestApp } from "../support/factories";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.cleanup();
});

const signInPage = async (url: string, headers: Record<string, string> = {}) => {
  const res = await t.app.request(url, { headers });
  expect(res.status).toBe(200);
  return res.text();
};
const notice = /The console needs HTTPS \(or http:\/\/localhost\)/;

describe("the console's sign-in page over plain HTTP", () => {
  it("says the console needs HTTPS or localhost when reached over http under another name", async () => {
    // The browser would drop the Secure session cookie there and bring the empty form back without a word.
    expect(await signInPage("http://status.example.com/admin/login")).toMatch(notice);
    expect(await signInPage("http://192.168.1.20:3000/admin/login")).toMatch(notice);
  });

  it("says nothing over HTTPS, on localhost, or behind a TLS proxy", async () => {
    for (const url of [
      "https://status.example.com/admin/login",
      "http://localhost:3000/admin/login",
      "http://127.0.0.1:3000/admin/login",
      "http://[::1]:3000/admin/login",
    ]) {
      expect(await signInPage(url), url).not.toMatch(notice);
    }
    const proxied = await signInPage("http://status.example.com/admin/login", { "x-forwarded-proto": "https" });
    expect(proxied).not.toMatch(notice);
  });

  it("still shows it after a sign-in whose cookie the browser dropped, the page it lands back on", async () => {
    const res = await t.app.request("http://status.example.com/admin", { redirect: "manual" });
    expect(res.headers.get("location")).toBe("/admin/login");
    expect(await signInPage(new URL(res.headers.get("location")!, "http://status.example.com").href)).toMatch(notice);
  });
});
