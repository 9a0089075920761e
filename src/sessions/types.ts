/**
 * Options of {@link archiveSession} and {@link unarchiveSession}.
 * @public
 */
export interface ArchiveSessionOptions {
  /**
   * The home folder.
   * @defaultValue `$CODEX_HOME`, else `~/.codex`
   */
  home?: string;
}

/**
 * Options of {@link deleteSession}.
 * @public
 */
export interface DeleteSessionOptions {
  /**
   * The home folder.
   * @defaultValue `$CODEX_HOME`, else `~/.codex`
   */
  home?: string;
  /**
   * Also delete the session's workspace snapshots (and the objects only they kept).
   * @defaultValue true
   */
  snapshots?: boolean;
  /** Stops the deletion between steps (looking up, each store, the index, the files). */
  signal?: AbortSignal;
}

/**
 * A snapshot {@link deleteSession} removed.
 * @public
 */
export interface DeletedSnapshot {
  /** The store it was in: a folder in `<home>/snapshots/`. */
  store: string;
  /** The message it belonged to. */
  messageId: string;
}

/**
 * What {@link deleteSession} removed.
 * @public
 */
export interface DeleteSessionResult {
  /** The session id, as in the file name. */
  id: string;
  /** The rollout files removed (live and archived, plain and `.jsonl.zst`). */
  files: string[];
  /** How many lines naming the session were removed from `<home>/session_index.jsonl`. */
  indexEntries: number;
  /** The snapshots removed, store by store, oldest first within a store. */
  snapshots: DeletedSnapshot[];
}

/**
 * Options of {@link setSessionName}.
 * @public
 */
export interface SetSessionNameOptions {
  /**
   * The home folder.
   * @defaultValue `$CODEX_HOME`, else `~/.codex`
   */
  home?: string;
  /** Stops the look-up and the read of the rollout. */
  signal?: AbortSignal;
}

/**
 * What {@link setSessionName} wrote.
 * @public
 */
export interface SetSessionNameResult {
  /** The session id, lower case, as written in the index line and the event. */
  id: string;
  /** The name written: the one given, trimmed. */
  name: string;
  /** The index line's `updated_at`: RFC 3339 UTC, as the Codex CLI writes it. */
  updatedAt: string;
  /** The session's rollout file. */
  path: string;
  /**
   * True when a `thread_name_updated` event was appended to the rollout; false for a compressed
   * file, a legacy one, or one that cannot be read as a rollout (only the index line is written).
   */
  event: boolean;
}
