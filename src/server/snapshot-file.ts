/**
 * DIR/snapshot.json of a durable store (docs/durability.md, "Files"): written in pieces, read back
 * with its audit events left unparsed until first needed.
 *
 *   version 2  {"format":"kms-emulator/data-dir","version":2,"lsn":N,"engine":<Engine.snapshot()>,
 *               "auditAt":A,"auditSizes":[…],"crc32":C}
 *   version 1  {"format":"kms-emulator/data-dir","version":1,"lsn":N,"engine":<Engine.snapshot()>,"engineCrc32":C}
 *
 * In version 2 the engine snapshot's last member is its audit list, whose text starts at byte A of
 * the file; `auditSizes` are the events' sizes as the audit stream counted them; C is the CRC-32
 * of every byte after `"engine":` and before `,"crc32":`. A file whose checksum matches was written
 * here and is intact: it is opened without the schema check and without parsing its audit events
 * (a tenth of the keys' worth of work at most, but two thirds of the text with 10,000 keys).
 */
import { open, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { AuditEvent } from '../engine/audit.js';
import type { Engine } from '../engine/engine.js';
import { parseJsonBytes } from './json-bytes.js';

export const DATA_DIR_FORMAT = 'kms-emulator/data-dir';
/** 2: the audit events' position and sizes follow the engine snapshot (read on first use). 1 is still read. */
export const DATA_DIR_VERSION = 2;
export const SNAPSHOT_FILE = 'snapshot.json';

/** What a snapshot file held, loaded into the engine. */
export interface SnapshotLoaded {
  lsn: number;
  /** 'checksum': written here, unchanged (no schema check); 'schema': changed since, checked in full. */
  check: 'checksum' | 'schema';
}

/** The snapshot file is not one this store can open: the message says why. */
export class SnapshotFileError extends Error {}

/**
 * Loads the snapshot file's bytes into `engine` (journal replay and due work are the caller's).
 * Throws SnapshotFileError for a file that is not a snapshot or does not restore; `file` names it.
 */
export function restoreSnapshotFile(file: string, bytes: Buffer, engine: Engine, pieceBytes: number): SnapshotLoaded {
  const own = ownSnapshot(bytes, pieceBytes);
  if (own) {
    restoring(file, () => engine.restore(own.engine, { runDueWork: false, intact: true, audit: own.audit }));
    return { lsn: own.lsn, check: 'checksum' };
  }
  let doc: { format?: unknown; version?: unknown; lsn?: unknown; engine?: unknown; engineCrc32?: unknown };
  try {
    doc = parseJsonBytes(bytes, pieceBytes) as typeof doc;
  } catch {
    throw new SnapshotFileError(`${file} is not JSON: the snapshot is damaged.`);
  }
  if (doc?.format !== DATA_DIR_FORMAT || (doc.version !== 1 && doc.version !== DATA_DIR_VERSION) || !Number.isSafeInteger(doc.lsn)) {
    throw new SnapshotFileError(`${file} is not a ${DATA_DIR_FORMAT} version 1 or ${DATA_DIR_VERSION} snapshot.`);
  }
  const lsn = doc.lsn as number;
  // Version 2 files that reach here failed their checksum (changed since written): checked in full.
  const intact = doc.version === 1 && versionOneIntact(bytes, lsn, doc.engineCrc32);
  restoring(file, () => engine.restore(doc.engine, { runDueWork: false, intact }));
  return { lsn, check: intact ? 'checksum' : 'schema' };
}

function restoring(file: string, restore: () => void): void {
  try {
    restore();
  } catch (e) {
    throw new SnapshotFileError(`${file} does not restore: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const prefix = (lsn: number, version = DATA_DIR_VERSION) => `{"format":${JSON.stringify(DATA_DIR_FORMAT)},"version":${version},"lsn":${lsn},"engine":`;
const PREFIX_PATTERN = /^\{"format":"kms-emulator\/data-dir","version":2,"lsn":(0|[1-9][0-9]{0,15}),"engine":/;
const SUFFIX_PATTERN = /,"crc32":(0|[1-9][0-9]{0,9})\}\n$/;
const AUDIT_AT = ',"auditAt":';
const AUDIT_SIZES = ',"auditSizes":';
const AUDIT_MEMBER = ',"audit":';

/**
 * A version 2 file exactly as writeSnapshot wrote it (its checksum matches): its lsn, the engine
 * snapshot without its audit events, and those events' sizes and reader. Undefined for anything
 * else (an older version, a file changed since), which is then parsed whole and checked.
 */
function ownSnapshot(bytes: Buffer, pieceBytes: number): { lsn: number; engine: unknown; audit: { sizes: number[]; events: () => AuditEvent[] } } | undefined {
  const head = PREFIX_PATTERN.exec(bytes.toString('latin1', 0, Math.min(bytes.length, 128)));
  const tail = SUFFIX_PATTERN.exec(bytes.toString('latin1', Math.max(0, bytes.length - 32)));
  if (!head || !tail) return undefined;
  const start = head[0].length;
  const end = bytes.length - tail[0].length;
  if (end < start || crc32(bytes.subarray(start, end)) !== Number(tail[1])) return undefined;
  try {
    // Intact, so laid out as written: <engine ending in ,"audit":[…]}>,"auditAt":A,"auditSizes":[…]
    const at = bytes.lastIndexOf(AUDIT_AT, end);
    const sizesAt = bytes.indexOf(AUDIT_SIZES, at);
    if (at < start || sizesAt < 0) return undefined;
    const auditAt = Number(bytes.toString('latin1', at + AUDIT_AT.length, sizesAt));
    const auditEnd = at - 1; // the engine object's closing brace
    if (!Number.isSafeInteger(auditAt) || auditAt < start || auditAt + 2 > auditEnd || bytes.toString('latin1', auditAt - AUDIT_MEMBER.length, auditAt) !== AUDIT_MEMBER || bytes[auditEnd] !== 0x7d) return undefined;
    const sizes = JSON.parse(bytes.toString('latin1', sizesAt + AUDIT_SIZES.length, end)) as number[];
    // The engine snapshot with an empty audit list stands in for the whole; the events wait. The
    // list's first three bytes become `[]}` for this parse and are put back (no copy of the keys' text).
    const saved = Buffer.from(bytes.subarray(auditAt, auditAt + 3));
    let engine: unknown;
    try {
      bytes.write('[]}', auditAt, 'latin1');
      engine = parseJsonBytes(bytes.subarray(start, auditAt + 3), pieceBytes);
    } finally {
      saved.copy(bytes, auditAt);
    }
    const events = () => parseJsonBytes(bytes.subarray(auditAt, auditEnd), pieceBytes) as AuditEvent[];
    return { lsn: Number(head[1]), engine, audit: { sizes, events } };
  } catch {
    return undefined;
  }
}

/** Whether a version 1 file's engine text is byte for byte what was written (its CRC-32 matches). */
function versionOneIntact(file: Uint8Array, lsn: number, crc: unknown): boolean {
  if (typeof crc !== 'number') return false;
  const head = utf8(prefix(lsn, 1));
  const tail = utf8(`,"engineCrc32":${crc}}\n`);
  if (file.length < head.length + tail.length) return false;
  for (let i = 0; i < head.length; i++) if (file[i] !== head[i]) return false;
  for (let i = 0; i < tail.length; i++) if (file[file.length - tail.length + i] !== tail[i]) return false;
  return crc32(file.subarray(head.length, file.length - tail.length)) === crc;
}

/**
 * Writes the engine's snapshot as snapshot.json: into a temporary file, fsync, rename over the
 * old one, fsync the directory. The snapshot object is taken synchronously (so it is one
 * consistent state); its text is produced and written in pieces, so no single string holds it all.
 * Keeps the last `auditEvents` audit events. Returns the file's size.
 */
export async function writeSnapshot(dir: string, engine: Engine, lsn: number, auditEvents: number): Promise<number> {
  const { audit: all, ...rest } = engine.snapshot();
  let sizes = engine.audit.sizes();
  engine.discardChanges();
  const keep = Math.min(all.length, Math.max(0, auditEvents));
  const audit = all.slice(all.length - keep);
  sizes = sizes.slice(sizes.length - keep);
  const tmp = join(dir, `${SNAPSHOT_FILE}.tmp`);
  const fh = await open(tmp, 'w', 0o600);
  let bytes = 0;
  try {
    const pieces: Uint8Array[] = [];
    let pending = 0;
    let crc = 0;
    const flush = async () => {
      if (pending === 0) return;
      const chunk = concat(pieces, pending);
      pieces.length = 0;
      pending = 0;
      await writeAll(fh, chunk, bytes);
      bytes += chunk.length;
    };
    const add = (text: string, checked = true) => {
      const piece = utf8(text);
      if (checked) crc = crc32(piece, crc);
      pieces.push(piece);
      pending += piece.length;
    };
    add(prefix(lsn), false);
    // The engine snapshot, its audit list last (where auditAt points).
    add('{');
    for (const text of memberPieces(rest, 0)) {
      add(text);
      if (pending >= 1 << 20) await flush();
    }
    add(AUDIT_MEMBER);
    const auditAt = bytes + pending;
    for (const text of jsonPieces(audit, 1)) {
      add(text);
      if (pending >= 1 << 20) await flush();
    }
    add('}');
    add(`${AUDIT_AT}${auditAt}${AUDIT_SIZES}${JSON.stringify(sizes)}`);
    add(`,"crc32":${crc}}\n`, false);
    await flush();
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, join(dir, SNAPSHOT_FILE));
  await syncDir(dir);
  return bytes;
}

/** JSON text of `value` in pieces: long arrays near the top are emitted an element at a time. */
function* jsonPieces(value: unknown, depth: number): Generator<string> {
  if (depth > 4 || value === null || typeof value !== 'object') {
    yield JSON.stringify(value) ?? 'null';
    return;
  }
  if (Array.isArray(value)) {
    if (value.length < 64) {
      yield JSON.stringify(value);
      return;
    }
    yield '[';
    const BATCH = 256;
    for (let i = 0; i < value.length; i += BATCH) {
      yield (i > 0 ? ',' : '') + value.slice(i, i + BATCH).map((v) => JSON.stringify(v) ?? 'null').join(',');
    }
    yield ']';
    return;
  }
  yield '{';
  yield* memberPieces(value, depth);
  yield '}';
}

/** The members of an object, comma-separated, without its braces. */
function* memberPieces(value: object, depth: number): Generator<string> {
  let first = true;
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    yield `${first ? '' : ','}${JSON.stringify(k)}:`;
    first = false;
    yield* jsonPieces(v, depth + 1);
  }
}

export async function writeAll(fh: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await fh.write(data, done, data.length - done, position + done);
    if (bytesWritten <= 0) throw new Error('the write made no progress');
    done += bytesWritten;
  }
}

/** Makes a rename or a new file in `dir` durable. Platforms that cannot fsync a directory skip it. */
export async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') throw e;
  } finally {
    await fh?.close();
  }
}

const encoder = new TextEncoder();
function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

function concat(pieces: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
