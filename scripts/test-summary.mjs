#!/usr/bin/env node
// Prints a plain "label: N passed, N failed" line per vitest JSON report (label=file), then the
// total, for CI logs. Usage: node scripts/test-summary.mjs unit=temp/a.json interop=temp/b.json
import { readFileSync } from 'node:fs';

const total = { passed: 0, failed: 0, skipped: 0 };
const line = (label, t) =>
  `${label}: ${t.passed} passed, ${t.failed} failed${t.skipped ? `, ${t.skipped} skipped` : ''}`;
for (const arg of process.argv.slice(2)) {
  const [label, file] = arg.split('=');
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const t = {
    passed: r.numPassedTests,
    failed: r.numFailedTests,
    skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0),
  };
  for (const k of Object.keys(total)) total[k] += t[k];
  console.log(line(label, t));
}
console.log(line('total', total));
