import type { TestProject } from 'vitest/node';
import { installCodex } from './codex-binary.js';

declare module 'vitest' {
  export interface ProvidedContext {
    codexBin: string;
  }
}

/** Installs the pinned Codex CLI once per run, so a clean CI machine gets it before any test. */
export default function setup(project: TestProject): void {
  project.provide('codexBin', installCodex());
}
