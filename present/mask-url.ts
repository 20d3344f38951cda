/**
 * How the console shows a chat channel's incoming-webhook URL: its host and its last 4 characters. The whole URL is
 * the channel's credential (anyone holding it can post there), so it is never put on a page.
 */
export function maskWebhookUrl(url: string): string {
  let host = "";
  try {
    host = new URL(url).host;
  } catch {
    // Stored URLs were parsed before they were stored; a broken one still shows no more than its tail.
  }
  return `${host} …${url.slice(-4)}`.trim();
}
