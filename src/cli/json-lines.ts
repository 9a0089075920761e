/**
 * Machine output of the CLI: JSON Lines, one JSON value per line and nothing else on stdout.
 *
 * `JSON.stringify` escapes C0 controls and lone surrogates but passes DEL, C1 controls (U+0080–
 * U+009F, among them the one-byte CSI U+009B), bidi overrides and isolates and the line separators
 * U+2028/U+2029 through raw, and a terminal showing the output (`rollouts ls --json | less`, a CI
 * log) would act on them. They are written as `\u` escapes instead. They can only occur inside
 * JSON strings, so the line parses to exactly the same value.
 */

const RAW_UNSAFE = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

const escape = (ch: string): string => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** `value` as one line of JSON (with its `\n`), every character a terminal would act on escaped. */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value).replace(RAW_UNSAFE, escape)}\n`;
}
