import { RolloutRecorder } from '../../src/index.js';
import { main } from '../../src/cli/main.js';
import { bufferIO } from '../../src/cli/io.js';
import type { CliIO } from '../../src/cli/io.js';

/** Runs the CLI in-process with an argv array; returns exit code and both outputs. */
export async function cli(
  argv: string[],
  io: Partial<CliIO> = {},
): Promise<{ code: number; out: string; err: string }> {
  const b = bufferIO({ env: {}, now: () => new Date('2026-11-21T12:00:00Z'), ...io });
  const code = await main(argv, b);
  return { code, out: b.out(), err: b.err() };
}

/** Records `n` small sessions in `home`; returns their ids, oldest first. */
export async function seedSessions(home: string, n: number, cwd = home): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const rec = await RolloutRecorder.create({
      cwd,
      home,
      git: false,
      createdAt: new Date(Date.UTC(2026, 10, 20, 10, i)),
    });
    await rec.recordUserMessage(`task number ${i}: make the build green`);
    await rec.record([
      {
        type: 'response_item',
        payload: {
          type: 'function_call',
          name: 'shell',
          arguments: '{"command":["npm","test"]}',
          call_id: `call-${i}`,
        },
      },
      {
        type: 'response_item',
        payload: {
          type: 'function_call_output',
          call_id: `call-${i}`,
          output: Array.from({ length: 30 }, (_, k) => `line ${k}`).join('\n'),
        },
      },
    ]);
    await rec.recordAssistantMessage(`done with ${i}`);
    await rec.close();
    ids.push(rec.id);
  }
  return ids;
}
