import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { RewindSessionResult } from '../../src/index.js';
import { RolloutRecorder, forkSession, readRollout } from '../../src/index.js';
import { gitDigest, workspaceState } from './rewind-state.js';
import { makeHome, makeRepo } from './snapshot-fixtures.js';

/**
 * A model-based property of the conversation-and-workspace timeline: random sequences of record,
 * snapshot, rewind, undo and fork keep, after every step, that every message of the current head
 * whose snapshot link it carries is linked to the workspace state captured for it, that the head
 * holds exactly the messages the model expects, that a rewind leaves the workspace at the target's
 * state and an undo at the state before, and that the user's `.git` never changes.
 */

const FILES = ['a.txt', 'b.sh', 'dir/c.txt'] as const;

export type Step =
  | {
      kind: 'record';
      role: 'user' | 'assistant';
      edits: { file: number; op: 'write' | 'delete' | 'chmod'; text: string }[];
    }
  | { kind: 'snapshot' }
  | { kind: 'rewind'; pick: number }
  | { kind: 'undo' }
  | { kind: 'fork'; pick: number };

export const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('record' as const),
      role: fc.constantFrom('user' as const, 'assistant' as const),
      edits: fc.array(
        fc.record({
          file: fc.nat({ max: FILES.length - 1 }),
          op: fc.constantFrom('write' as const, 'delete' as const, 'chmod' as const),
          text: fc.string({ maxLength: 8 }),
        }),
        { maxLength: 3 },
      ),
    }),
  },
  { weight: 3, arbitrary: fc.constant({ kind: 'snapshot' as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('rewind' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'undo' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fork' as const), pick: fc.nat() }) },
);

/**
 * Sequences that start with two snapshotted messages (so rewinds have targets from the start),
 * then `min`–`max` random steps.
 */
export function timelineArb(min: number, max: number): fc.Arbitrary<Step[]> {
  const prologue: Step[] = [
    { kind: 'record', role: 'user', edits: [{ file: 1, op: 'write', text: '#!/bin/sh\n' }] },
    { kind: 'snapshot' },
    {
      kind: 'record',
      role: 'assistant',
      edits: [
        { file: 2, op: 'write', text: 'c' },
        { file: 1, op: 'chmod', text: '' },
      ],
    },
    { kind: 'snapshot' },
  ];
  return fc.array(stepArb, { minLength: min, maxLength: max }).map((steps) => [...prologue, ...steps]);
}

async function edit(ws: string, edits: Extract<Step, { kind: 'record' }>['edits']): Promise<void> {
  for (const e of edits) {
    const file = path.join(ws, FILES[e.file]!);
    if (e.op === 'write') {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, e.text);
    } else if (e.op === 'delete') await rm(file, { force: true });
    else await chmod(file, 0o755).catch(() => undefined);
  }
}

/**
 * The workspace as a snapshot can hold it: files (bytes, mode) and symlinks. A Git tree has no
 * empty folders, so a folder emptied by the agent after a snapshot is left by a rewind to it.
 */
async function snapshotState(ws: string): Promise<string[]> {
  return (await workspaceState(ws)).filter((l) => !/\/ dir [0-7]{4}$/.test(l));
}

interface Head {
  rec: RolloutRecorder;
  /** Message ids, in order, as the model expects them. */
  messages: string[];
}

/** Runs one sequence and checks the invariants after every step. */
export const timelineCounts = { rewind: 0, undo: 0, fork: 0, snapshot: 0 };

export async function runTimeline(steps: Step[]): Promise<void> {
  const home = await makeHome();
  const ws = await makeRepo({ 'a.txt': 'start\n' });
  const git = await gitDigest(ws);
  /** The tree and the workspace state captured for each message (ids are unique across forks). */
  const captured = new Map<string, { tree: string; state: string[] }>();
  let head: Head = { rec: await RolloutRecorder.create({ home, cwd: ws }), messages: [] };
  const undos: { result: RewindSessionResult; before: string[]; previous: Head }[] = [];

  const snapshotted = (): string[] => head.messages.filter((m) => captured.has(m));

  for (const step of steps) {
    if (step.kind === 'record') {
      await edit(ws, step.edits);
      const id =
        step.role === 'user'
          ? await head.rec.recordUserMessage('u')
          : await head.rec.recordAssistantMessage('a');
      head.messages.push(id);
    } else if (step.kind === 'snapshot') {
      if (head.messages.length === 0) continue;
      const last = head.messages.at(-1)!;
      const cap = await head.rec.snapshot({ replace: true });
      timelineCounts.snapshot++;
      captured.set(last, { tree: cap.tree, state: await snapshotState(ws) });
    } else if (step.kind === 'rewind') {
      const candidates = snapshotted();
      if (candidates.length === 0) continue;
      const target = candidates[step.pick % candidates.length]!;
      const before = await workspaceState(ws);
      const previous = { rec: head.rec, messages: head.messages };
      const result = await head.rec.rewindTo(target);
      expect(result.message).toBe(target);
      expect(await snapshotState(ws)).toEqual(captured.get(target)!.state);
      undos.push({ result, before, previous });
      timelineCounts.rewind++;
      head = { rec: result.recorder, messages: head.messages.slice(0, head.messages.indexOf(target) + 1) };
    } else if (step.kind === 'undo') {
      const last = undos.pop();
      if (last === undefined) continue;
      // Only the newest rewind is undone, and only while its fork is the head (else it is kept).
      if (last.result.recorder !== head.rec) {
        undos.push(last);
        continue;
      }
      await last.result.undo();
      timelineCounts.undo++;
      expect(await workspaceState(ws)).toEqual(last.before);
      const { recorder } = await RolloutRecorder.resume(last.previous.rec.id, { home });
      head = { rec: recorder, messages: last.previous.messages };
    } else {
      if (head.messages.length === 0) continue;
      const at = head.messages[step.pick % head.messages.length]!;
      await head.rec.close();
      timelineCounts.fork++;
      const fork = await forkSession(head.rec.id, { home, atMessage: at });
      const { recorder } = await RolloutRecorder.resume(fork.id, { home });
      head = { rec: recorder, messages: head.messages.slice(0, head.messages.indexOf(at) + 1) };
    }

    // The invariants, after every step.
    await head.rec.flush();
    const read = await readRollout(head.rec.path);
    expect(read.errors).toEqual([]);
    const ids = read.items.flatMap((i) => {
      const p = i.payload as { type?: string; id?: string };
      return i.type === 'response_item' && p.type === 'message' && p.id !== undefined ? [p.id] : [];
    });
    expect(ids).toEqual(head.messages);
    const linked = new Map<string, string>();
    for (const s of read.snapshots) linked.set(s.messageId, s.tree);
    for (const [messageId, tree] of linked) {
      expect(head.messages).toContain(messageId);
      expect(tree).toBe(captured.get(messageId)?.tree);
    }
    for (const m of head.messages) if (captured.has(m)) expect(linked.get(m)).toBe(captured.get(m)!.tree);
    expect(await gitDigest(ws)).toBe(git);
  }
  await head.rec.close();
}
