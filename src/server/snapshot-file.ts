/**
 * DIR/snapshot.json of a durable store (docs/durability.md, "Files"): written in pieces, read back
 * with its audit events left unparsed until first needed.
 *
 *   version 2  {"format":"kms-emulator/data-dir","version":2,"lsn":N,"engine":<Engine.snapshot()>,
 *               "auditAt":A,"auditSizes":[…],"keyIndex":[…],"crc32":C}
 *   version 1  {"format":"kms-emulator/data-dir","version":1,"lsn":N,"engine":<Engine.snapshot()>,"engineCrc32":C}
 *
 * In version 2 the engine snapshot's last member is its audit list, whose text starts at byte A of
 * the file; `auditSizes` are the events' sizes as the audit stream counted them; `keyIndex` says,
 * for each realm, where its key list and each key's text are, the keys' ids and sequence numbers
 * and which keys have due work; C is the CRC-32 of every byte after `"engine":` and before
 * `,"crc32":`. A file whose checksum matches was written here and is intact: it is opened without
 * the schema check, parsing only the engine text outside the key and audit lists (and the keys with
 * due work); each key is parsed from its own text when first needed, the audit events when first
 * listed. Opening 10,000 keys then parses a few kilobytes, not 17 MB.
 */
import { open, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { utf8 } from '../crypto/bytes.js';
import type { AuditEvent } from '../engine/audit.js';
import type { Engine } from '../engine/engine.js';
import type { DeferredKeys, EngineSnapshot, SnapshotKey } from '../engine/snapshot.js';
import { parseJsonBytes } from './json-bytes.js';
import { hasDueWork } from '../engine/scheduler.js';

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
    restoring(file, () => engine.restore(own.engine, { runDueWork: false, intact: true, audit: own.audit, keys: own.keys }));
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
const KEY_INDEX = ',"keyIndex":';

/**
 * A version 2 file exactly as writeSnapshot wrote it (its checksum matches): its lsn, the engine
 * snapshot without its audit events, and those events' sizes and reader. Undefined for anything
 * else (an older version, a file changed since), which is then parsed whole and checked.
 */
function ownSnapshot(bytes: Buffer, pieceBytes: number): { lsn: number; engine: unknown; keys: DeferredKeys[]; audit: { sizes: number[]; events: () => AuditEvent[] } } | undefined {
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
    const indexAt = bytes.indexOf(KEY_INDEX, sizesAt);
    if (at < start || sizesAt < 0 || indexAt < 0) return undefined;
    const auditAt = Number(bytes.toString('latin1', at + AUDIT_AT.length, sizesAt));
    const auditEnd = at - 1; // the engine object's closing brace
    if (!Number.isSafeInteger(auditAt) || auditAt < start || auditAt + 2 > auditEnd || bytes.toString('latin1', auditAt - AUDIT_MEMBER.length, auditAt) !== AUDIT_MEMBER || bytes[auditEnd] !== 0x7d) return undefined;
    const sizes = JSON.parse(bytes.toString('latin1', sizesAt + AUDIT_SIZES.length, indexAt)) as number[];
    const index = JSON.parse(bytes.toString('utf8', indexAt + KEY_INDEX.length, end)) as KeyIndex[];
    // The engine snapshot with empty key and audit lists stands in for the whole: each key is read
    // from its own text when first needed, the audit events when first listed.
    const parts: Buffer[] = [];
    let from = start;
    for (const realm of index) {
      if (realm.open < from || realm.close < realm.open || bytes[realm.open] !== 0x5b || bytes[realm.close] !== 0x5d) return undefined;
      parts.push(bytes.subarray(from, realm.open + 1));
      from = realm.close;
    }
    parts.push(bytes.subarray(from, auditAt), Buffer.from('[]}'));
    const engine = parseJsonBytes(Buffer.concat(parts), pieceBytes);
    const keys = index.map(
      (realm): DeferredKeys => ({
        ids: realm.ids,
        seqs: realm.seqs,
        due: realm.due,
        entry: (i) => parseJsonBytes(bytes.subarray(realm.at[i]!, i + 1 < realm.at.length ? realm.at[i + 1]! - 1 : realm.close), pieceBytes) as SnapshotKey,
      }),
    );
    const events = () => parseJsonBytes(bytes.subarray(auditAt, auditEnd), pieceBytes) as AuditEvent[];
    return { lsn: Number(head[1]), engine, keys, audit: { sizes, events } };
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
      const chunk = Buffer.concat(pieces, pending);
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
    const offset = () => bytes + pending;
    add(prefix(lsn), false);
    // The engine snapshot, each key's text where keyIndex says, its audit list last (where auditAt points).
    const keyIndex: KeyIndex[] = [];
    add('{');
    let first = true;
    for (const [name, value] of Object.entries(rest)) {
      if (value === undefined) continue;
      add(`${first ? '' : ','}${JSON.stringify(name)}:`);
      first = false;
      if (name !== 'realms') {
        for (const text of jsonPieces(value, 1)) add(text);
        continue;
      }
      add('[');
      const realms = value as EngineSnapshot['realms'];
      for (let r = 0; r < realms.length; r++) {
        add(r > 0 ? ',{' : '{');
        let firstMember = true;
        for (const [member, v] of Object.entries(realms[r]!)) {
          if (v === undefined) continue;
          add(`${firstMember ? '' : ','}${JSON.stringify(member)}:`);
          firstMember = false;
          if (member !== 'keys') {
            add(JSON.stringify(v));
            continue;
          }
          const keys = v as SnapshotKey[];
          const index: KeyIndex = { open: offset(), close: 0, at: [], ids: [], seqs: [], due: [] };
          add('[');
          for (let i = 0; i < keys.length; i++) {
            const k = keys[i]!;
            if (i > 0) add(',');
            index.at.push(offset());
            index.ids.push(k.id);
            index.seqs.push(k.seq);
            if (hasDueWork(k)) index.due.push(i);
            add(JSON.stringify(k));
            if (pending >= 1 << 20) await flush();
          }
          index.close = offset();
          add(']');
          keyIndex.push(index);
        }
        add('}');
      }
      add(']');
    }
    add(AUDIT_MEMBER);
    const auditAt = bytes + pending;
    for (const text of jsonPieces(audit, 1)) {
      add(text);
      if (pending >= 1 << 20) await flush();
    }
    add('}');
    add(`${AUDIT_AT}${auditAt}${AUDIT_SIZES}${JSON.stringify(sizes)}${KEY_INDEX}${JSON.stringify(keyIndex)}`);
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

/**
 * Where a realm's keys are in the file: its key list's brackets, where each key's text starts,
 * the keys' ids and sequence numbers, and the indexes of the keys with due work.
 */
interface KeyIndex {
  open: number;
  close: number;
  at: number[];
  ids: string[];
  seqs: number[];
  due: number[];
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
