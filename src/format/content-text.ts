/**
 * Session content as text, total over any JSON: what `rollouts show` and the transcript renderers
 * print of message parts, tool arguments and tool outputs.
 */

/**
 * The text of message content parts (or of a plain string), one part a line. Image parts become
 * `imageMarker` when one is given, and are left out otherwise. Total: any JSON in, a string out
 * (a part that is no object with a `text` string is shown as its JSON, `null` parts are left out).
 */
export function contentText(content: unknown, imageMarker?: string): string {
  if (!Array.isArray(content)) return asText(content);
  const parts: string[] = [];
  for (const p of content as unknown[]) {
    let t: string;
    if (typeof p === 'string') t = p;
    else if (p !== null && typeof p === 'object' && !Array.isArray(p)) {
      const o = p as { type?: unknown; text?: unknown };
      if (typeof o.text === 'string') t = o.text;
      else if (o.type === 'input_image') t = imageMarker ?? '';
      else t = asText(p);
    } else t = asText(p);
    if (t) parts.push(t);
  }
  return parts.join('\n');
}

/** A tool output as text: a string, an object's `content`, content parts, or else its JSON. Total. */
export function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  if (output !== null && typeof output === 'object' && !Array.isArray(output)) {
    const c = (output as { content?: unknown }).content;
    if (typeof c === 'string') return c;
    if (Array.isArray(c)) return contentText(c);
  }
  if (Array.isArray(output)) return contentText(output);
  return JSON.stringify(output ?? null) ?? '';
}

/**
 * Any JSON value as text: a string as it is, nothing for null or absent, anything else as its JSON
 * (a type-confused field such as `arguments: {…}` shows its content, never `[object Object]`).
 */
export function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return JSON.stringify(value) ?? '';
}
