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
