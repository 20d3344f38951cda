// Header values for notification emails. A CR or LF in a header value ends the header and starts another one
// (header injection), so none may reach a header: addresses come from subscribers and are refused outright; staff
// text (page and incident names in the Subject) is trusted and only folded onto one line.

const lineBreaks = /[\r\n\0]+/g;

/** Staff text for a header: every run of CR, LF or NUL becomes one space, surrounding space is trimmed. */
export function stripLineBreaks(value: string): string {
  return value.replace(lineBreaks, " ").trim();
}

/** Throws unless the value can go into a header verbatim: no CR, LF or NUL anywhere. */
export function assertHeaderSafe(value: string, field = "header value"): string {
  if (/[\r\n\0]/.test(value)) throw new TypeError(`${field} contains a line break`);
  return value;
}

// One bare addr-spec: no display name, no comment, no list separator that would add recipients.
const bareAddress = /^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+$/;

/** Throws unless the value is exactly one bare address (`someone@example.com`), the form subscribers give. */
export function assertSingleAddress(value: string, field = "address"): string {
  assertHeaderSafe(value, field);
  if (!bareAddress.test(value)) throw new TypeError(`${field} is not a single email address`);
  return value;
}

const idPart = (value: string, field: string) => {
  if (!/^[A-Za-z0-9._-]+$/.test(value)) throw new TypeError(`${field} cannot be part of a Message-ID`);
  return value;
};

/** `<incident-ID@domain>`: the root of the incident's thread (RFC 5322 §3.6.4 msg-id). */
export function incidentMessageId(incidentId: string, domain: string): string {
  return `<incident-${idPart(incidentId, "incident id")}@${idPart(domain, "domain")}>`;
}

/**
 * Threading headers that make every email about one incident a single conversation (RFC 5322 §3.6.4). The first
 * email of an incident carries the incident's own Message-ID; each later update replies to it, so In-Reply-To and
 * References both name that root. Every recipient of one update gets the same Message-ID, as a mailing list does.
 * Resend replaces Message-ID with its own (reference §6), but keeps In-Reply-To/References, which is what clients
 * thread on; over SMTP all three are sent verbatim.
 */
export function threadHeaders(
  incidentId: string,
  updateId: string,
  domain: string,
  isFirst = false,
): Record<string, string> {
  const root = incidentMessageId(incidentId, domain);
  if (isFirst) return { "Message-ID": root };
  return {
    "Message-ID": `<update-${idPart(updateId, "update id")}@${idPart(domain, "domain")}>`,
    "In-Reply-To": root,
    References: root,
  };
}

/**
 * One-click unsubscribe (RFC 8058 §3.1): one List-Unsubscribe field with the URI in angle brackets (RFC 2369) and
 * `List-Unsubscribe-Post: List-Unsubscribe=One-Click`. RFC 8058 requires an https URI for one-click; http is only
 * accepted so that a development SITE_URL (http://localhost) still produces the same headers.
 */
export function unsubscribeHeaders(url: string): Record<string, string> {
  assertHeaderSafe(url, "unsubscribe URL");
  const parsed = new URL(url);
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new TypeError("unsubscribe URL must be https");
  }
  // URL.href percent-encodes spaces and angle brackets; RFC 2369 also asks for literal commas to be encoded.
  const href = parsed.href.replace(/,/g, "%2C");
  return { "List-Unsubscribe": `<${href}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };
}

/** The right-hand side of Marquee's Message-IDs: the page's host name, or a reserved name when it cannot serve. */
export function messageIdDomain(pageUrl: string): string {
  let host = "";
  try {
    host = new URL(pageUrl).hostname;
  } catch {
    // not a URL: the reserved name below
  }
  return /^[A-Za-z0-9.-]+$/.test(host) ? host : "marquee.invalid";
}
