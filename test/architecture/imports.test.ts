import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The import graph of src/: no cycle between files, and no import from a lower layer into a higher
 * one. `layers.json` lists, for each folder of src/, the folders it may import (errors.ts is below
 * them all). Lint enforces it as code is written; this test also catches cycles inside one folder,
 * which a per-folder rule cannot see.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const SRC = path.join(ROOT, 'src');
const LAYERS = JSON.parse(readFileSync(path.join(ROOT, 'layers.json'), 'utf8')) as Record<string, string[]>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

const IMPORT_RE =
  /(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)|(?:^|\n)\s*import\s*'([^']+)'/g;

/** Every relative import of every file, as absolute `.ts` paths (type-only imports included). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const edges: string[] = [];
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (spec === undefined || !spec.startsWith('.')) continue;
      edges.push(path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts'));
    }
    graph.set(file, edges);
  }
  return graph;
}

/** The folder (layer) of a file below src/, or the file's own name for top-level files. */
function layerOf(file: string): string {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel.length > 1 ? rel[0]! : rel[0]!.replace(/\.ts$/, '');
}

function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (state.get(next) === undefined) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    if (state.get(node) === undefined) {
      const found = visit(node);
      if (found) return found;
    }
  }
  return undefined;
}

describe('the import graph of src/', () => {
  const graph = importGraph();

  it('has no cycle', () => {
    const cycle = findCycle(graph)?.map((f) => path.relative(SRC, f));
    expect(cycle).toBeUndefined();
  });

  it('has no upward edge between layers', () => {
    const upward: string[] = [];
    for (const [file, edges] of graph) {
      const from = layerOf(file);
      const allowed = LAYERS[from];
      if (allowed === undefined) continue; // index.ts and errors.ts: checked by their own rules
      for (const to of edges.map(layerOf)) {
        if (to !== from && to !== 'errors' && !allowed.includes(to)) {
          upward.push(`${path.relative(SRC, file)} -> ${to}`);
        }
      }
    }
    expect(upward).toEqual([]);
  });

  it('knows every folder of src/', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    expect(folders).toEqual(Object.keys(LAYERS).sort());
  });

  it('keeps errors.ts a leaf', () => {
    expect(graph.get(path.join(SRC, 'errors.ts'))).toEqual([]);
  });
});
