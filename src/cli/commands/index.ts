import type { Command } from 'commander';
import type { Ctx } from '../context.js';
import { registerArchive } from './archive.js';
import { registerDelete } from './delete.js';
import { registerExport } from './export.js';
import { registerFork } from './fork.js';
import { registerImport } from './import.js';
import { registerHf } from './hf.js';
import { registerLs } from './ls.js';
import { registerName } from './name.js';
import { registerPick } from './pick.js';
import { registerRemote } from './remote.js';
import { registerRewind } from './rewind.js';
import { registerSearch } from './search.js';
import { registerIndex } from './session-index.js';
import { registerShow } from './show.js';
import { registerSnapshots } from './snapshots.js';
import { registerUndo } from './undo.js';
import { registerValidate } from './validate.js';
import { registerView } from './view.js';

/** Every subcommand, in the order help lists them. */
export function registerCommands(program: Command, ctx: Ctx): void {
  registerLs(program, ctx);
  registerPick(program, ctx);
  registerSearch(program, ctx);
  registerShow(program, ctx);
  registerValidate(program, ctx);
  registerArchive(program, ctx);
  registerDelete(program, ctx);
  registerName(program, ctx);
  registerExport(program, ctx);
  registerHf(program, ctx);
  registerSnapshots(program, ctx);
  registerFork(program, ctx);
  registerRewind(program, ctx);
  registerUndo(program, ctx);
  registerRemote(program, ctx);
  registerImport(program, ctx);
  registerView(program, ctx);
  registerIndex(program, ctx);
}
