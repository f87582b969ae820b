/**
 * Durable state for the local endpoint (`--data-dir DIR`): a snapshot plus an append-only journal
 * of change records, one record per group commit, each on disk (fdatasync) before the responses
 * it covers are sent. The format is described in docs/durability.md.
 *
 *   DIR/snapshot.json   {"format":"kms-emulator/data-dir","version":2,"lsn":N,"engine":<Engine.snapshot()>,"auditAt":A,"auditSizes":[…],"keyIndex":[…],"crc32":C}
 *                       (written and read by snapshot-file.ts)
 *   DIR/journal.log     frames: magic "KMJ1" | u32le payload length | u32le CRC-32 of payload | payload,
 *                       payload = UTF-8 JSON {"lsn":N,"changes":<Engine.takeChanges()>}
 *   DIR/lock            {"pid","host","nonce","since"} while a server owns the directory
 *                       (taken and released by store-lock.ts)
 */
import { constants as fsConstants } from 'node:fs';
import { copyFile, mkdir, open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Engine } from '../engine/engine.js';
import { DEFAULT_PIECE_BYTES, parseJsonBytes } from './json-bytes.js';
import { DurableStoreError } from './store-error.js';
import { acquireLock, releaseLock, type LockInfo } from './store-lock.js';
import { restoreSnapshotFile, SNAPSHOT_FILE, SnapshotFileError, syncDir, writeAll, writeSnapshot } from './snapshot-file.js';

export { DATA_DIR_FORMAT, DATA_DIR_VERSION, SNAPSHOT_FILE } from './snapshot-file.js';
export { DurableStoreError, type DurableStoreErrorCode } from './store-error.js';
export { LOCK_FILE } from './store-lock.js';
export const JOURNAL_FILE = 'journal.log';

/** "KMJ1" as a little-endian u32: the first four bytes of every journal frame. */
const MAGIC = 0x314a4d4b;
const HEADER_BYTES = 12;
/** A frame claiming more than this is damage, not a record. */
const MAX_RECORD_BYTES = 1 << 30;
const DEFAULT_SNAPSHOT_AUDIT_EVENTS = 10_000;

export interface DurableStoreOptions {
  /**
   * Compact (write a new snapshot, empty the journal) once the journal is larger than this many
   * bytes and larger than an eighth of the last snapshot (replaying a byte of journal costs more
   * than loading a byte of snapshot, and both count towards startup time). Default 16 MiB.
   */
  compactBytes?: number;
  /**
   * Reads change no key but append audit events. Those ride along with the next commit that
   * changes state, or are written this many milliseconds after the read, whichever comes first.
   * Default 200.
   */
  auditFlushMs?: number;
  /**
   * A damaged record followed by intact ones (corruption, not a torn write): 'fail' (default)
   * refuses to open; 'truncate' keeps a copy of the journal as journal.log.corrupt-<time> and
   * drops the damaged record and everything after it.
   */
  onCorruption?: 'fail' | 'truncate';
  /**
   * How many of the most recent audit events a snapshot keeps (the journal keeps every event
   * until the next compaction). Bounds the snapshot's size and the work of reading its events
   * (about as much per event as per key; an intact snapshot's are read on first use). Default 10,000.
   */
  snapshotAuditEvents?: number;
  /**
   * Snapshot and journal text is parsed in pieces of at most this many bytes (a document larger
   * than one JavaScript string can hold still opens). Default 256 MiB; tests make it small.
   */
  jsonPieceBytes?: number;
  /** Where to report what open found (a dropped torn record, a repaired journal). */
  log?: (message: string) => void;
  /** How the delayed audit flush is scheduled. Default: setTimeout, unref'd; tests pass their own to run it when they choose. */
  timer?: StoreTimer;
}

/** Schedules a callback once after `ms`, and cancels it. */
export interface StoreTimer {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const REAL_TIMER: StoreTimer = {
  set(callback, ms) {
    const handle = setTimeout(callback, ms);
    handle.unref?.();
    return handle;
  },
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** What open found on disk. */
export interface Recovery {
  /** Whether snapshot.json was there (false: a new directory). */
  snapshot: boolean;
  /**
   * How the snapshot was checked: 'checksum' when its engine text is exactly what the store wrote
   * (the schema check is skipped), 'schema' for a snapshot changed since (edited by hand).
   */
  snapshotCheck?: 'checksum' | 'schema';
  /** Journal records applied on top of the snapshot. */
  records: number;
  /** Records skipped because the snapshot already held them (a crash during compaction). */
  skipped: number;
  /** Bytes of a torn last record that were dropped. */
  tornBytes: number;
  /** A damaged record in the middle of the journal, repaired with onCorruption: 'truncate'. */
  corruption?: { offset: number; reason: string; droppedBytes: number; copy: string };
  /** Milliseconds open took. */
  ms: number;
}

/**
 * Durable state in one directory. `open` loads the directory into the engine; `commit` resolves
 * once every change the engine made before the call is on disk; `close` compacts and unlocks.
 */
export class DurableStore {
  readonly dir: string;
  readonly engine: Engine;
  readonly recovery: Recovery;
  readonly #options: Required<Omit<DurableStoreOptions, 'log'>> & Pick<DurableStoreOptions, 'log'>;
  readonly #lock: LockInfo;
  #journal: FileHandle;
  #journalBytes: number;
  #snapshotBytes: number;
  /** The last record written (or folded into the snapshot). */
  #lsn: number;
  /** The end of the serial disk lane: writes and compactions run one after another. */
  #lane: Promise<void> = Promise.resolve();
  /** A batch queued on the lane that has not started: it takes the engine's changes when it does. */
  #queued: Promise<void> | undefined;
  /** The handle of the scheduled audit flush, if one is scheduled. */
  #auditTimer: unknown;
  /** The latest batch that carries key or alias changes: what a read waits for (resolved once on disk). */
  #stateWritten: Promise<void> = Promise.resolve();
  #compactionQueued = false;
  #failure: Error | undefined;
  #closed: Promise<void> | undefined;

  private constructor(
    dir: string,
    engine: Engine,
    options: DurableStoreOptions,
    lock: LockInfo,
    journal: FileHandle,
    state: { journalBytes: number; snapshotBytes: number; lsn: number; recovery: Recovery },
  ) {
    this.dir = dir;
    this.engine = engine;
    this.#options = {
      jsonPieceBytes: options.jsonPieceBytes ?? DEFAULT_PIECE_BYTES,
      compactBytes: options.compactBytes ?? 16 * 1024 * 1024,
      auditFlushMs: options.auditFlushMs ?? 200,
      onCorruption: options.onCorruption ?? 'fail',
      snapshotAuditEvents: options.snapshotAuditEvents ?? DEFAULT_SNAPSHOT_AUDIT_EVENTS,
      timer: options.timer ?? REAL_TIMER,
      ...(options.log ? { log: options.log } : {}),
    };
    this.#lock = lock;
    this.#journal = journal;
    this.#journalBytes = state.journalBytes;
    this.#snapshotBytes = state.snapshotBytes;
    this.#lsn = state.lsn;
    this.recovery = state.recovery;
  }

  /**
   * Opens (creating if needed) the directory, locks it against other servers, loads its state into
   * `engine` (snapshot, then the journal's records in order), runs the due work that came due
   * while nobody was running, and returns once that is on disk too.
   */
  static async open(dir: string, engine: Engine, options: DurableStoreOptions = {}): Promise<DurableStore> {
    const started = performance.now();
    const path = resolve(dir);
    await mkdir(path, { recursive: true });
    const lock = await acquireLock(path);
    let journal: FileHandle | undefined;
    try {
      const loaded = await load(path, engine, options);
      journal = await open(join(path, JOURNAL_FILE), fsConstants.O_RDWR | fsConstants.O_CREAT, 0o600);
      if (loaded.truncateAt !== undefined) {
        await journal.truncate(loaded.truncateAt);
        await journal.datasync();
      }
      if (!loaded.snapshot) {
        // A new directory: its first snapshot holds the engine's secrets (the paging-marker key)
        // and whatever state the engine was given, so the journal has something to follow.
        await writeSnapshot(path, engine, loaded.lsn, options.snapshotAuditEvents ?? DEFAULT_SNAPSHOT_AUDIT_EVENTS);
      }
      await syncDir(path);
      engine.discardChanges();
      const recovery: Recovery = { ...loaded.recovery, ms: 0 };
      const store = new DurableStore(path, engine, options, lock, journal, {
        journalBytes: loaded.journalBytes,
        snapshotBytes: loaded.snapshotBytes,
        lsn: loaded.lsn,
        recovery,
      });
      // Deletions and rotations that came due while the directory was closed happen now.
      engine.runDueWork();
      await store.commit();
      recovery.ms = performance.now() - started;
      return store;
    } catch (e) {
      await journal?.close().catch(() => {});
      await releaseLock(path, lock);
      throw e;
    }
  }

  /**
   * Resolves once every change the engine made before the call is on disk. Calls that arrive while
   * a write is in flight share the next write and its fdatasync (group commit). A call that finds
   * no key or alias changed (a read) does no I/O: it waits only for a write in flight that carries
   * key or alias changes (which this read may have seen: no answer shows a change that could still
   * be lost), never for a write of audit events alone. The audit events of reads are written shortly
   * after (see DurableStoreOptions.auditFlushMs).
   */
  commit(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    const pending = this.engine.pendingChanges();
    if (pending !== 'state') {
      if (pending === 'audit' && !this.#closed) this.#scheduleAuditFlush();
      return this.#stateWritten;
    }
    if (this.#closed) return Promise.reject(new DurableStoreError('CLOSED', `The data directory ${this.dir} is closed.`));
    return this.#enqueueBatch();
  }

  /** Resolves once no write or compaction is running or queued (tests and benches use it to take a quiet copy). */
  async settled(): Promise<void> {
    let lane: Promise<void>;
    do {
      lane = this.#lane;
      await lane;
    } while (lane !== this.#lane);
  }

  /** Writes everything pending, compacts (a new snapshot, an empty journal) and releases the lock. */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    if (this.#auditTimer !== undefined) this.#options.timer.clear(this.#auditTimer);
    this.#auditTimer = undefined;
    try {
      await this.#lane;
      if (!this.#failure && (this.#journalBytes > 0 || this.engine.pendingChanges())) await this.#compact();
    } finally {
      await this.#journal.close().catch(() => {});
      await releaseLock(this.dir, this.#lock);
    }
    if (this.#failure) throw this.#failure;
  }

  #enqueueBatch(): Promise<void> {
    if (this.#queued) return this.#queued;
    const batch: Promise<void> = this.#lane.then(() => {
      this.#queued = undefined;
      // Decided when the batch takes the engine's changes: only then is it known what it carries.
      if (this.engine.pendingChanges() === 'state') this.#stateWritten = batch;
      return this.#writeBatch();
    });
    this.#queued = batch;
    this.#lane = batch.catch(() => {});
    return batch;
  }

  #scheduleAuditFlush(): void {
    if (this.#auditTimer !== undefined) return;
    this.#auditTimer = this.#options.timer.set(() => {
      this.#auditTimer = undefined;
      if (!this.#failure && !this.#closed) this.#enqueueBatch().catch(() => {});
    }, this.#options.auditFlushMs);
  }

  async #writeBatch(): Promise<void> {
    if (this.#failure) throw this.#failure;
    const changes = this.engine.takeChanges();
    if (!changes) return;
    if (this.#auditTimer !== undefined) {
      this.#options.timer.clear(this.#auditTimer);
      this.#auditTimer = undefined;
    }
    const lsn = this.#lsn + 1;
    const frame = encodeFrame(utf8(JSON.stringify({ lsn, changes })));
    try {
      await writeAll(this.#journal, frame, this.#journalBytes);
      await this.#journal.datasync();
    } catch (e) {
      throw this.#fail(e, 'writing the journal');
    }
    this.#lsn = lsn;
    this.#journalBytes += frame.length;
    if (!this.#compactionQueued && this.#journalBytes > Math.max(this.#options.compactBytes, this.#snapshotBytes / 8)) {
      this.#compactionQueued = true;
      this.#lane = this.#lane.then(() => this.#compact()).catch(() => {});
    }
  }

  /**
   * A new snapshot that folds in the journal (and anything not yet taken), then an empty journal.
   * The snapshot names the last record it holds, so a crash between the two steps replays nothing twice.
   */
  async #compact(): Promise<void> {
    this.#compactionQueued = false;
    if (this.#failure) return;
    const lsn = this.#lsn + 1;
    try {
      this.#snapshotBytes = await writeSnapshot(this.dir, this.engine, lsn, this.#options.snapshotAuditEvents);
      this.#lsn = lsn;
      await this.#journal.truncate(0);
      await this.#journal.datasync();
      this.#journalBytes = 0;
    } catch (e) {
      throw this.#fail(e, 'compacting');
    }
  }

  #fail(e: unknown, doing: string): Error {
    this.#failure ??= new DurableStoreError(
      'FAILED',
      `The data directory ${this.dir} failed while ${doing} (${e instanceof Error ? e.message : String(e)}); no further change can be made durable: restart the server.`,
    );
    this.#options.log?.(this.#failure.message);
    return this.#failure;
  }
}

// ---------------------------------------------------------------- loading

interface Loaded {
  snapshot: boolean;
  snapshotBytes: number;
  journalBytes: number;
  lsn: number;
  /** Where the journal's intact part ends, when something after it must go. */
  truncateAt?: number;
  recovery: Omit<Recovery, 'ms'>;
}

async function load(dir: string, engine: Engine, options: DurableStoreOptions): Promise<Loaded> {
  await rm(join(dir, `${SNAPSHOT_FILE}.tmp`), { force: true });
  const snapshotText = await readIfExists(join(dir, SNAPSHOT_FILE));
  let lsn = 0;
  let check: Recovery['snapshotCheck'];
  if (snapshotText !== undefined) {
    try {
      ({ lsn, check } = restoreSnapshotFile(join(dir, SNAPSHOT_FILE), snapshotText, engine, options.jsonPieceBytes ?? DEFAULT_PIECE_BYTES));
    } catch (e) {
      if (e instanceof SnapshotFileError) throw new DurableStoreError('CORRUPT', e.message);
      throw e;
    }
  }
  const recovery: Omit<Recovery, 'ms'> = {
    snapshot: snapshotText !== undefined,
    ...(check ? { snapshotCheck: check } : {}),
    records: 0,
    skipped: 0,
    tornBytes: 0,
  };
  const journalPath = join(dir, JOURNAL_FILE);
  const journal = (await readIfExists(journalPath)) ?? new Uint8Array(0);
  let offset = 0;
  let problem: { offset: number; reason: string } | undefined;
  while (offset < journal.length) {
    const frame = readFrame(journal, offset);
    if ('problem' in frame) {
      problem = { offset, reason: frame.problem };
      break;
    }
    let record: { lsn?: unknown; changes?: unknown };
    try {
      record = parseJsonBytes(frame.payload, options.jsonPieceBytes) as typeof record;
    } catch {
      problem = { offset, reason: 'the payload is not JSON' };
      break;
    }
    if (!Number.isSafeInteger(record?.lsn)) {
      problem = { offset, reason: 'the record has no sequence number' };
      break;
    }
    const recordLsn = record.lsn as number;
    if (recordLsn <= lsn && recovery.records === 0) {
      // Written before the snapshot that holds it (a crash between snapshot and journal reset).
      recovery.skipped++;
    } else if (recordLsn !== lsn + 1) {
      problem = { offset, reason: `record ${recordLsn} follows record ${lsn}` };
      break;
    } else {
      try {
        engine.applyChanges(record.changes);
      } catch (e) {
        problem = { offset, reason: `the record does not apply: ${e instanceof Error ? e.message : String(e)}` };
        break;
      }
      lsn = recordLsn;
      recovery.records++;
    }
    offset = frame.end;
  }
  let truncateAt: number | undefined;
  if (problem) {
    const dropped = journal.length - problem.offset;
    if (!hasIntactFrameAfter(journal, problem.offset)) {
      // Nothing intact follows: the last write was torn by a crash. It was never acknowledged.
      recovery.tornBytes = dropped;
      options.log?.(`${journalPath}: dropped a torn last record (${dropped} bytes at offset ${problem.offset}: ${problem.reason}).`);
    } else if (options.onCorruption === 'truncate') {
      const copy = `${journalPath}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await copyFile(journalPath, copy);
      recovery.corruption = { offset: problem.offset, reason: problem.reason, droppedBytes: dropped, copy };
      options.log?.(`${journalPath}: damaged record at offset ${problem.offset} (${problem.reason}); dropped it and the ${dropped} bytes after it, the whole journal is kept as ${copy}.`);
    } else {
      throw new DurableStoreError(
        'CORRUPT',
        `${journalPath} is damaged at offset ${problem.offset} (${problem.reason}) and intact records follow it, so acknowledged changes would be lost. ` +
          `Nothing was changed on disk. To start anyway, dropping the damaged record and everything after it (the journal is copied aside first), open the store with onCorruption: 'truncate'.`,
      );
    }
    truncateAt = problem.offset;
  }
  return {
    snapshot: snapshotText !== undefined,
    snapshotBytes: snapshotText?.length ?? 0,
    journalBytes: truncateAt ?? journal.length,
    lsn,
    ...(truncateAt !== undefined ? { truncateAt } : {}),
    recovery,
  };
}

function readFrame(buf: Uint8Array, offset: number): { payload: Uint8Array; end: number } | { problem: string } {
  if (buf.length - offset < HEADER_BYTES) return { problem: 'the file ends inside a record header' };
  const view = new DataView(buf.buffer, buf.byteOffset + offset, HEADER_BYTES);
  if (view.getUint32(0, true) !== MAGIC) return { problem: 'no record starts here' };
  const length = view.getUint32(4, true);
  if (length > MAX_RECORD_BYTES) return { problem: 'the record length is implausible' };
  const end = offset + HEADER_BYTES + length;
  if (end > buf.length) return { problem: 'the file ends inside the record' };
  const payload = buf.subarray(offset + HEADER_BYTES, end);
  if (crc32(payload) !== view.getUint32(8, true)) return { problem: 'the checksum does not match' };
  return { payload, end };
}

/** Whether an intact frame starts anywhere after `offset`: what tells corruption from a torn tail. */
function hasIntactFrameAfter(buf: Uint8Array, offset: number): boolean {
  for (let at = offset + 1; at + HEADER_BYTES <= buf.length; at++) {
    if (buf[at] !== 0x4b || buf[at + 1] !== 0x4d || buf[at + 2] !== 0x4a || buf[at + 3] !== 0x31) continue;
    if (!('problem' in readFrame(buf, at))) return true;
  }
  return false;
}

function encodeFrame(payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(HEADER_BYTES + payload.length);
  const view = new DataView(frame.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, payload.length, true);
  view.setUint32(8, crc32(payload), true);
  frame.set(payload, HEADER_BYTES);
  return frame;
}

// ---------------------------------------------------------------- bytes

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

const encoder = new TextEncoder();
function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}
