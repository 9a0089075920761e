/**
 * The archive remote configured for a workspace, where its snapshots are pushed before rows that
 * name it are exported. Per-workspace remotes (`rollouts remote set`) are not stored yet: this is
 * the one place that will read them, and until then no workspace has one (a caller passes `remote`).
 */
export function archiveRemoteFor(_workspace: string): string | undefined {
  return undefined;
}
