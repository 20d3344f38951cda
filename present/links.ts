/** The fragment that marks an incident in a history list, so a link can point at it on its page. */
export const incidentAnchor = (id: string) => `incident-${id}`;
