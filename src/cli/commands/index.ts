import type { Command } from 'commander';
import type { Ctx } from '../context.js';
import { registerArchive } from './archive.js';
import { registerDelete } from './delete.js';
import { registerExport } from './export.js';
import { registerHf } from './hf.js';
import { registerLs } from './ls.js';
import { registerName } from './name.js';
import { registerShow } from './show.js';
import { registerSnapshots } from './snapshots.js';
import { registerValidate } from './validate.js';

/** Every subcommand, in the order help lists them. */
export function registerCommands(program: Command, ctx: Ctx): void {
  registerLs(program, ctx);
  registerShow(program, ctx);
  registerValidate(program, ctx);
  registerArchive(program, ctx);
  registerDelete(program, ctx);
  registerName(program, ctx);
  registerExport(program, ctx);
  registerHf(program, ctx);
  registerSnapshots(program, ctx);
}
