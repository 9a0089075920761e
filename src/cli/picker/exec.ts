/**
 * `--exec 'codex resume {}'`: the command run with the chosen session. The template is split into
 * words once, as a POSIX shell splits them (quotes and backslashes, nothing expanded), and `{}` is
 * replaced inside those words: the program is then started with an argument list, no shell, so
 * nothing in a session id (or anything else substituted) can become shell syntax.
 */

/** The words of `template`, or a message saying why it is not a command. */
export function commandWords(template: string): string[] | { error: string } {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && '"\\$`'.includes(template[i + 1] ?? '')) word += template[++i]!;
      else word += c;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "'" || c === '"') quote = c;
    else if (c === '\\') {
      if (i + 1 < template.length) word += template[++i]!;
    } else word += c;
  }
  if (quote !== undefined) return { error: `--exec has an unclosed ${quote} quote` };
  if (inWord) words.push(word);
  if (words.length === 0) return { error: '--exec names no command' };
  return words;
}

/** The argument list for `id`: every `{}` replaced by it, or it added last when none is there. */
export function commandFor(words: readonly string[], id: string): string[] {
  const has = words.some((w) => w.includes('{}'));
  const out = words.map((w) => w.replaceAll('{}', id));
  return has ? out : [...out, id];
}
