import type { Command } from 'commander';
import type { Ctx } from '../context.js';
import { registerValidate } from './validate.js';

/** Every subcommand, in the order help lists them. */
export function registerCommands(program: Command, ctx: Ctx): void {
  registerValidate(program, ctx);
}
