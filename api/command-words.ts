/**
 * Splits a command line from the configuration into words, as a shell would for plain words and quotes, but without
 * a shell: no variables, globs, pipes or `;`. The command is then run with execFile, its arguments passed as they are.
 */
export function commandWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: '"' | "'" | null = null;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = null;
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      word ??= "";
    } else if (/\s/.test(ch)) {
      if (word !== null) words.push(word);
      word = null;
    } else {
      word = (word ?? "") + ch;
    }
  }
  if (quote) throw new Error(`an unclosed ${quote} quote`);
  if (word !== null) words.push(word);
  if (words.length === 0) throw new Error("no command");
  return words;
}
