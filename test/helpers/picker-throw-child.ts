/**
 * Runs the real picker on this process's terminal with a lister stand-in whose first listing throws
 * (as a bug in a lower layer would), so a test in tmux can check the terminal is restored on a
 * thrown error. Prints `threw: <message>` and exits 1 once the picker has rejected.
 */
import type { ReadStream, WriteStream } from 'node:tty';
import { runPicker } from '../../src/cli/picker/driver.js';

try {
  await runPicker(
    { input: process.stdin as ReadStream, output: process.stdout as WriteStream },
    {
      list() {
        throw new Error('the stand-in lister broke');
      },
      preview: () => Promise.resolve([]),
    },
    { cwd: process.cwd(), now: new Date() },
  );
  console.log('returned');
} catch (error) {
  console.log(`threw: ${(error as Error).message}`);
  process.exitCode = 1;
}
