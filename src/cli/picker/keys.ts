/**
 * The picker's keys: raw terminal input (bytes as the terminal sends them in raw mode) turned into
 * key events. Pure: no I/O, so every sequence is unit-tested.
 */

/** A key the picker acts on; `text` is typed text (one or more printable characters). */
export type Key = { name: 'text'; text: string } | { name: KeyName };

/** Every key but typed text. */
export type KeyName =
  | 'up'
  | 'down'
  | 'pageUp'
  | 'pageDown'
  | 'home'
  | 'end'
  | 'enter'
  | 'backspace'
  | 'tab'
  | 'escape'
  | 'ctrlC'
  | 'ctrlA'
  | 'ctrlU'
  | 'ctrlW';

/** Escape sequences of the keys we know, as xterm, tmux, the Linux console and rxvt send them. */
const SEQUENCES: Readonly<Record<string, KeyName>> = {
  '\u001b[A': 'up',
  '\u001bOA': 'up',
  '\u001b[B': 'down',
  '\u001bOB': 'down',
  '\u001b[5~': 'pageUp',
  '\u001b[6~': 'pageDown',
  '\u001b[H': 'home',
  '\u001bOH': 'home',
  '\u001b[1~': 'home',
  '\u001b[7~': 'home',
  '\u001b[F': 'end',
  '\u001bOF': 'end',
  '\u001b[4~': 'end',
  '\u001b[8~': 'end',
};

const CONTROLS: Readonly<Record<string, KeyName>> = {
  '\r': 'enter',
  '\n': 'enter',
  '\u007f': 'backspace',
  '\b': 'backspace',
  '\t': 'tab',
  '\u0003': 'ctrlC',
  '\u0001': 'ctrlA',
  '\u0015': 'ctrlU',
  '\u0017': 'ctrlW',
  '\u0010': 'up', // Ctrl-P
  '\u000e': 'down', // Ctrl-N
};

/** A CSI or SS3 sequence at the start of `s`: its length, or 0 when `s` does not start with one. */
function sequenceLength(s: string): number {
  if (s.startsWith('\u001bO')) return s.length >= 3 ? 3 : s.length;
  if (!s.startsWith('\u001b[')) return 0;
  // CSI: parameter and intermediate bytes (0x20–0x3f), then one final byte (0x40–0x7e).
  for (let i = 2; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x40 && c <= 0x7e) return i + 1;
    if (c < 0x20 || c > 0x3f) return i;
  }
  return s.length;
}

/**
 * The keys in one chunk of input. A lone ESC is the Escape key; an unknown escape sequence, a
 * control character we do not use and Alt-combinations are dropped, never typed into the search.
 * Typed text is kept whole (a paste, a character made of several code units), and consecutive
 * printable characters come back as one `text` key.
 */
export function parseKeys(chunk: string): Key[] {
  const keys: Key[] = [];
  let text = '';
  const flush = (): void => {
    if (text) keys.push({ name: 'text', text });
    text = '';
  };
  let i = 0;
  while (i < chunk.length) {
    const rest = chunk.slice(i);
    if (rest[0] === '\u001b') {
      flush();
      const n = sequenceLength(rest);
      if (n > 0) {
        const known = SEQUENCES[rest.slice(0, n)];
        if (known) keys.push({ name: known });
        i += n;
      } else if (rest.length === 1 || rest[1] === '\u001b') {
        keys.push({ name: 'escape' });
        i += 1;
      } else {
        // Alt-<key>: ESC then the key; not a picker key.
        i += 1 + (rest.codePointAt(1)! > 0xffff ? 2 : 1);
      }
      continue;
    }
    const control = CONTROLS[rest[0]!];
    if (control) {
      flush();
      // A CRLF is one Enter.
      if (control === 'enter' && rest.startsWith('\r\n')) i += 1;
      keys.push({ name: control });
      i += 1;
      continue;
    }
    const code = rest.charCodeAt(0);
    // Other controls (C0, DEL, C1) and bidi controls are never typed into the search.
    if (
      code < 0x20 ||
      (code >= 0x7f && code <= 0x9f) ||
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069)
    ) {
      i += 1;
      continue;
    }
    text += rest[0]!;
    i += 1;
  }
  flush();
  return keys;
}
