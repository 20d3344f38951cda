/** WCAG 2 relative luminance of an sRGB colour given as #rrggbb or rgb(r, g, b). */
export function luminance(colour: string): number {
  const channels = colour.startsWith("#")
    ? [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16))
    : colour
        .match(/\d+(\.\d+)?/g)!
        .slice(0, 3)
        .map(Number);
  const [r, g, b] = channels.map((c) => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** WCAG 2 contrast ratio (https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio), 1 to 21. */
export function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}
