/**
 * What must not leave the database for eyes that have no business with it: subscribers' addresses (inside a mail
 * server's error, `550 5.1.1 <jane.doe@example.com>: Recipient address rejected`) and the tokens in subscribers'
 * links (a confirmation or unsubscribe link opens that subscriber's subscription).
 */
const address = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*/g;

export const withoutAddresses = (text: string) => text.replace(address, "[address]");

// Subscriber links carry `<id>.<32 hex>`; confirmation links 64 hex (api/services/subscriber-links.ts, confirmations.ts).
const linkToken = /\b[0-9a-z]{12}\.[0-9a-f]{32}\b|\b[0-9a-f]{32,}\b/g;

export const withoutLinkTokens = (text: string) => text.replace(linkToken, "[token]");
