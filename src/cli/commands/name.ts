import type { Command } from 'commander';
import { setSessionName } from '../../sessions/name.js';
import type { Ctx } from '../context.js';
import { existingHome } from '../context.js';

/**
 * Text from session data made safe to print: control characters (C0, DEL, C1) and the line and
 * bidirectional-override characters shown as `\uXXXX` escapes, never sent to the terminal.
 */
export function printable(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    const unsafe =
      c < 0x20 ||
      (c >= 0x7f && c <= 0x9f) ||
      c === 0x2028 ||
      c === 0x2029 ||
      c === 0x200e ||
      c === 0x200f ||
      (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069);
    out += unsafe ? `\\u${c.toString(16).padStart(4, '0')}` : ch;
  }
  return out;
}

export function registerName(program: Command, ctx: Ctx): void {
  program
    .command('name')
    .description('name a session as the Codex CLI does (codex resume and ls show it)')
    .argument('<session>', 'a session id or a unique id prefix (8+ hex digits)')
    .argument('<name>', 'the name (white space around it is trimmed)')
    .option('--home <dir>', 'the home (default: $CODEX_HOME or ~/.codex)')
    .action(async (id: string, name: string, flags: { home?: string }) => {
      const r = await setSessionName(id, name, { home: existingHome(ctx.io, flags.home) });
      ctx.io.stdout.write(`named ${r.id} "${printable(r.name).replace(/"/g, '\\"')}"\n`);
    });
}
