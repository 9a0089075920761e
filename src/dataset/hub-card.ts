import type { DatasetFormat } from './export-dataset.js';

/** The file every batch is appended to, and the one the card's `train` split maps. */
export const TRAIN_FILE = 'train.jsonl';

/**
 * The dataset card (`README.md`): YAML that maps the `train` split to `train.jsonl`, so
 * `load_dataset("ns/name", split="train")` works, and a description of the rows.
 */
export function datasetCard(o: {
  name: string;
  format: DatasetFormat;
  batches: number;
  rows: number;
}): string {
  return `---
configs:
- config_name: default
  data_files:
  - split: train
    path: ${TRAIN_FILE}
tags:
- agent-rollouts
- coding-agent
- ${o.format === 'trl' ? 'trl' : o.format === 'openai' ? 'openai-fine-tuning' : 'rollouts'}
---

# ${o.name}

Coding-agent sessions recorded as rollouts and pushed by \`rollouts hf push\`: ${o.rows} rows in
${o.batches} batches.

Each row of \`${TRAIN_FILE}\` has these fields:

- \`batch_id\`: the push that appended the row (1, 2, …). Batches are append-only: a session that
  changed gets a new row in a later batch and its older rows stay, so past states remain visible.
- \`session_id\`: the session's id.
- \`agent\`: the agent that recorded it.
- \`exported_at\`: when the row was exported (UTC).
- \`session\`: the session in the \`${o.format}\` format: \`messages\`, \`message_ids\` (the rollout id
  of each message) and \`turns\` (for each assistant message, the commit of the workspace at that
  turn in the snapshot archive, or null).
- \`metadata\`: null when no snapshot of the session exists; else \`remote_url\`, the archive
  repository holding its snapshots (null when none is configured).

Secrets found in messages, tool arguments and outputs are replaced by \`[REDACTED:<kind>]\`.

\`\`\`python
from datasets import load_dataset

dataset = load_dataset("${o.name}", split="train")
\`\`\`
`;
}
