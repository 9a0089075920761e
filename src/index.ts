/**
 * agent-rollouts: faithful, crash-safe session records (JSONL rollouts) for coding-agent harnesses,
 * file-compatible with the Codex CLI.
 *
 * @packageDocumentation
 */

// errors
export {
  RolloutError,
  isRolloutError,
  SessionLockedError,
  ArchiveStateError,
  SessionNotFoundError,
  AmbiguousSessionIdError,
  InvalidCursorError,
  InvalidRolloutError,
  SnapshotExistsError,
  SnapshotNotFoundError,
  SnapshotStoreNotFoundError,
  GitError,
  RolloutIOError,
  RecorderClosedError,
  RewindRefusedError,
  RewindFailedError,
  MessageNotFoundError,
  MessageHasNoSnapshotError,
  NothingToUndoError,
  ArchiveRemoteError,
  HubError,
} from './errors.js';
export type { RolloutErrorCode, RewindRefusalReason, ArchiveRemoteFailure } from './errors.js';

// home
export { resolveHome } from './files/layout.js';

// format
export { newSessionId, newMessageId, isUuid, uuidV7Time } from './format/ids.js';
export { rolloutFileName, dateFolder, parseRolloutFileName } from './files/layout.js';
export type { RolloutFileName } from './files/layout.js';
export { isSessionMetaLine, isKnownLineType, customItem } from './format/types.js';
export type {
  UnknownType,
  OnDiskGitInfo,
  SessionGitInfo,
  SessionSource,
  SessionMetaPayload,
  HistoryBase,
  ContentPart,
  MessageItem,
  FunctionCallItem,
  FunctionCallOutputItem,
  ReasoningItem,
  CustomToolCallItem,
  CustomToolCallOutputItem,
  OtherKnownResponseItem,
  UnknownResponseItem,
  ResponseItemPayload,
  EventMsgPayload,
  WorkspaceSnapshotPayload,
  SnapshotLink,
  RolloutPayloads,
  KnownLineType,
  KnownRolloutItem,
  UnknownRolloutItem,
  RolloutItem,
  RecordPayloads,
  RecordItem,
  RolloutEnvelope,
  KnownRolloutLine,
  UnknownRolloutLine,
  RolloutLine,
  SessionMetaLine,
  LegacyMeta,
  RolloutFormat,
} from './format/types.js';

// recorder
export { RolloutRecorder } from './recorder/recorder.js';
export type {
  RecordUserMessageOptions,
  RecorderSnapshotOptions,
  ResumedSession,
} from './recorder/recorder.js';
export type { Durability, RolloutRecorderOptions, ResumeRecorderOptions } from './recorder/options.js';

// reader
export { streamRollout } from './reader/stream.js';
export type { RolloutProblem, RolloutProblemKind, StreamRolloutOptions } from './reader/stream.js';
export { readRollout } from './reader/read.js';
export type { ReadRolloutResult } from './reader/read.js';
export { streamThread } from './reader/thread.js';
export type { ThreadLine, ThreadSegment } from './reader/thread.js';
export { validateRollout } from './reader/validate.js';

// transcripts
export { renderTranscript, streamTranscript } from './transcript/render.js';
export type { RenderTranscriptOptions, TranscriptFormat, TranscriptSource } from './transcript/render.js';

// lister
export type { SkipReason, SkipHandler } from './files/skip.js';
export { listSessions, iterateSessions } from './lister/list.js';
export { findSession } from './lister/find.js';
export type {
  SessionSummary,
  IterateSessionsOptions,
  ListSessionsOptions,
  SessionPage,
  FindSessionOptions,
  SearchMatch,
  SessionIndexProgress,
} from './lister/types.js';

// session index
export { sessionIndexStatus, updateSessionIndex, rebuildSessionIndex } from './lister/session-index.js';
export type { SessionIndexOptions, SessionIndexStatus } from './lister/session-index.js';

// session operations
export { archiveSession, unarchiveSession } from './sessions/archive.js';
export { deleteSession } from './sessions/delete.js';
export { setSessionName } from './sessions/name.js';
export { forkSession } from './sessions/fork.js';
export type { ForkSessionOptions } from './sessions/fork.js';
export { lastRewind, planRewind, rewindSession, undoLastRewind } from './sessions/rewind.js';
export type { LastRewind, RewindPlan } from './sessions/rewind.js';
export type {
  ForkSessionResult,
  RecorderRewindOptions,
  RewindSessionOptions,
  UndoRewindResult,
} from './recorder/rewind-types.js';
export type { RewindSessionResult } from './recorder/recorder.js';
export { listSessionSnapshots } from './sessions/snapshots.js';
export type { ListSessionSnapshotsOptions, SessionSnapshot } from './sessions/snapshots.js';
export type {
  ArchiveSessionOptions,
  DeleteSessionOptions,
  DeleteSessionResult,
  DeletedSnapshot,
  SetSessionNameOptions,
  SetSessionNameResult,
} from './sessions/types.js';

// snapshot
export { SnapshotStore, DEFAULT_MAX_FILE_SIZE } from './snapshot/snapshot-store.js';
export type {
  SnapshotStoreOptions,
  CaptureOptions,
  RestoreOptions,
  RestoreToDestOptions,
  RestoreInPlaceOptions,
  DiffOptions,
  ListSnapshotsOptions,
  DeleteSnapshotsOptions,
  PushOptions,
  RestoreFromRemoteOptions,
} from './snapshot/snapshot-store.js';
export type {
  SnapshotRef,
  DiffSide,
  SnapshotSkipReason,
  SkippedFile,
  SnapshotVcsInfo,
  ChangeStatus,
  ChangedFile,
  CaptureResult,
  SnapshotBase,
  SnapshotInfo,
  DiffEntry,
  SnapshotDiff,
  RestoreToDestResult,
  RewindResult,
  InterruptedRewind,
  DeleteResult,
  PushResult,
  RedactedFile,
  RedactedSnapshot,
  RemoteRestoreResult,
} from './snapshot/types.js';
export {
  getArchiveRemote,
  listArchiveRemotes,
  setArchiveRemote,
  clearArchiveRemote,
  clearArchiveRemotes,
  getRemoteDefaults,
  setRemoteDefaults,
} from './snapshot/archive-remotes.js';
export type {
  ArchiveRemote,
  ArchiveRemoteOptions,
  ArchiveVisibility,
  RemoteDefaults,
} from './snapshot/archive-remotes.js';
export { pushArchives } from './snapshot/archive-push.js';
export type { PushArchivesOptions, ArchivePushResult } from './snapshot/archive-push.js';

// importers
export { importSessions } from './importers/import-sessions.js';
export type {
  ImportSessionsOptions,
  ImportSessionsResult,
  ImportedSession,
  ImportStatus,
} from './importers/import-sessions.js';
export type { ImportAgent } from './importers/types.js';

// dataset
export { exportDataset } from './dataset/export-dataset.js';
export type {
  DatasetFormat,
  DatasetRowOf,
  DatasetWarning,
  ExportDatasetOptions,
} from './dataset/export-dataset.js';
export { writeDatasetParquet } from './dataset/parquet.js';
export type { WriteDatasetParquetOptions } from './dataset/parquet.js';
export { createSecretRedactor } from './secrets/redact.js';
export { pushDatasetToHub } from './dataset/hub-push.js';
export type { PushDatasetToHubOptions, PushDatasetToHubResult } from './dataset/hub-push.js';
export type { SecretFinding, SecretRedactor } from './secrets/redact.js';
export type {
  ChatMessage,
  OpenAIToolCall,
  DatasetTool,
  JsonSchemaObject,
  DatasetTurn,
  OpenAIDatasetRow,
  TrlMessage,
  TrlDatasetRow,
  EnvelopeDatasetRow,
  ChatDatasetRow,
  HubDatasetRow,
} from './format/dataset.js';
