/**
 * Why a file or folder was left out of a listing.
 *
 * - `empty`: a zero-length file, or one of blank lines only.
 * - `torn`: the first line stops without a newline and is not complete JSON (a write in progress or a
 *   crash).
 * - `invalid`: the first line is not a `session_meta` line nor a legacy head (or is longer than 16 MiB),
 *   or a `.jsonl.zst` file's data cannot be decompressed.
 * - `not-utf8`: the first line is not valid UTF-8.
 * - `not-a-file`: named like a rollout but a folder, FIFO, socket or device.
 * - `unreadable`: opening or reading failed (permissions, symlink loop, I/O error); the error is passed.
 * - `vanished`: listed, then gone before it could be read (deleted or moved meanwhile).
 * - `unrecognized-name`: an entry of `sessions/` or `archived_sessions/` whose name fits no layout.
 * - `compressed`: no longer given: every supported Node.js reads `.jsonl.zst` files (a damaged one is
 *   `invalid`); kept so code that names it still compiles.
 * - `duplicate`: a second file for a session already listed at the same place in the order.
 * @public
 */
export type SkipReason =
  | 'empty'
  | 'torn'
  | 'invalid'
  | 'not-utf8'
  | 'not-a-file'
  | 'unreadable'
  | 'vanished'
  | 'unrecognized-name'
  | 'compressed'
  | 'duplicate';

/**
 * Called for every file or folder a listing leaves out; the listing goes on.
 * @public
 */
export type SkipHandler = (path: string, reason: SkipReason, error?: unknown) => void;
