import type { TestApp } from "./factories";

/** A browser of one for the staff console: keeps its cookie and posts forms as url-encoded bodies. */
export function consoleBrowser(t: TestApp) {
  let cookie: string | null = null;
  const request = async (method: string, path: string, form?: Record<string, string>) => {
    const res = await t.app.request(path, {
      method,
      headers: {
        ...(cookie && { cookie }),
        ...(form && { "content-type": "application/x-www-form-urlencoded" }),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    const set = res.headers.get("set-cookie");
    if (set) cookie = /Max-Age=0/i.test(set) ? null : set.split(";")[0]!;
    return res;
  };
  return {
    request,
    get cookie() {
      return cookie;
    },
    signIn: (key = t.keys.write) => request("POST", "/admin/login", { key }),
    /** The csrf token the console's forms carry. */
    csrf: async () => {
      const html = await (await request("GET", "/admin")).text();
      return html.match(/name="csrf" value="([0-9a-f]+)"/)![1]!;
    },
  };
}
