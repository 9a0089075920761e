/**
 * Resumes a compressed session in a child process and kills itself (SIGKILL) at one step of the
 * materialization, for the crash test. Run with
 * `node --import tsx test/helpers/materialize-child.ts <home> <id> <step>`; `<step>` `none` resumes
 * to the end and prints `{"path": …}`.
 */
import { materializeHooks } from '../../src/recorder/materialize.js';
import { RolloutRecorder } from '../../src/recorder/recorder.js';

const [home, id, killAt] = process.argv.slice(2) as [string, string, string];
materializeHooks.onStep = (step) => {
  if (step === killAt) process.kill(process.pid, 'SIGKILL');
};
const { recorder } = await RolloutRecorder.resume(id, { home });
await recorder.close();
process.stdout.write(`${JSON.stringify({ path: recorder.path })}\n`);
