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
  HubError,
} from './errors.js';
export type { RolloutErrorCode, RewindRefusalReason } from './errors.js';

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
export { validateRollout } from './reader/validate.js';

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
} from './lister/types.js';

// session operations
export { archiveSession, unarchiveSession } from './sessions/archive.js';
export { deleteSession } from './sessions/delete.js';
export { setSessionName } from './sessions/name.js';
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
  RemoteRestoreResult,
} from './snapshot/types.js';

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
export { createSecretRedactor } from './dataset/redact.js';
export { pushDatasetToHub } from './dataset/hub-push.js';
export type { PushDatasetToHubOptions, PushDatasetToHubResult } from './dataset/hub-push.js';
export type { SecretFinding, SecretRedactor } from './dataset/redact.js';
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
