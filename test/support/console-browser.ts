import type { TestApp } from "./factories";

/**
 * A browser of one on the staff console: keeps the session cookie and posts forms as url-encoded bodies. `clientIp`
 * is the address the app sees (as the Workers entry passes it).
 */
export function consoleBrowser(t: TestApp, clientIp = "198.51.100.20") {
  let cookie: string | null = null;
  const request = async (
    method: string,
    path: string,
    form?: Record<string, string> | URLSearchParams,
    headers = {},
  ) => {
    const res = await t.app.request(
      path,
      {
        method,
        headers: {
          ...(cookie && { cookie }),
          ...(form && { "content-type": "application/x-www-form-urlencoded" }),
          ...headers,
        },
        body: form ? new URLSearchParams(form).toString() : undefined,
      },
      { clientIp },
    );
    const set = res.headers.get("set-cookie");
    if (set) cookie = /Max-Age=0/i.test(set) ? null : set.split(";")[0]!;
    return res;
  };
  return {
    request,
    get cookie() {
      return cookie;
    },
    set cookie(value: string | null) {
      cookie = value;
    },
    signIn: async (key = t.keys.write) => request("POST", "/admin/login", { key }),
    /** The csrf token the dashboard's forms carry. */
    csrf: async () => {
      const html = await (await request("GET", "/admin")).text();
      return html.match(/name="csrf" value="([0-9a-f]+)"/)![1]!;
    },
  };
}

/** A console session signed in with a key of `scope` (a write key by default), and its csrf token. */
export async function signedIn(t: TestApp, scope: "write" | "admin" = "write") {
  const b = consoleBrowser(t);
  await b.signIn(t.keys[scope]);
  return { b, csrf: await b.csrf() };
}
