import type { TestProject } from 'vitest/node';
import { installCodex, suiteVersions } from './codex-binary.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The oldest version's binary (kept for tests about one version). */
    codexBin: string;
    /** Every version the run covers, oldest first, with its binary. */
    codexBins: { version: string; bin: string }[];
  }
}

/** Installs every Codex CLI version of the run once, so a clean CI machine gets them before any test. */
export default function setup(project: TestProject): void {
  const bins = suiteVersions().map((version) => ({ version, bin: installCodex(version) }));
  project.provide('codexBins', bins);
  project.provide('codexBin', bins[0]!.bin);
}
