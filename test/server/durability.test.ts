/**
 * The durable store in process: round trips through snapshot and journal, torn and corrupted
 * journals, compaction, group commit, the directory lock.
 */
import { constants, createPublicKey, publicEncrypt } from 'node:crypto';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKms, ManualClock, type EngineSnapshot, type Kms } from '../../src/index.js';
import { DurableStore, DurableStoreError, JOURNAL_FILE, LOCK_FILE, SNAPSHOT_FILE, type StoreTimer } from '../../src/server/store.js';

const START = '2026-01-01T00:00:00Z';
const dirs: string[] = [];
const stores: DurableStore[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kms-durable-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => {});
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function newKms(seed?: string): Kms<ManualClock> {
  return createKms({ clock: new ManualClock(START), ...(seed ? { seed } : {}) });
}

async function openStore(dir: string, kms: Kms, options: Parameters<typeof DurableStore.open>[2] = {}): Promise<DurableStore> {
  const store = await DurableStore.open(dir, kms.engine, options);
  stores.push(store);
  return store;
}

/** The state without what differs between two engines holding the same state (the snapshot's own date). */
export function comparable(snapshot: EngineSnapshot): Omit<EngineSnapshot, 'takenAt'> {
  const { takenAt: _takenAt, ...rest } = snapshot;
  return { ...rest, realms: [...rest.realms].sort((a, b) => `${a.account}/${a.region}`.localeCompare(`${b.account}/${b.region}`)) };
}

/** What a crash leaves: a copy of the directory's files as they are now (the store keeps running). */
function crashCopy(dir: string): string {
  const copy = tempDir();
  rmSync(copy, { recursive: true });
  cpSync(dir, copy, { recursive: true });
  return copy;
}

/** A little of everything: keys, aliases, tags, rotation, deletion, encryption. */
async function workload(kms: Kms<ManualClock>, store: DurableStore): Promise<{ keyIds: string[]; ciphertext: string }> {
  const send = async (op: string, input: Record<string, unknown> = {}) => {
    const out = await kms.aws.send(op, input);
    await store.commit();
    return out;
  };
  const keyIds: string[] = [];
  for (let i = 0; i < 5; i++) keyIds.push((await send('CreateKey', { Description: `key ${i}`, Tags: [{ TagKey: 'n', TagValue: String(i) }] })).KeyMetadata.KeyId);
  await send('CreateAlias', { AliasName: 'alias/one', TargetKeyId: keyIds[0] });
  await send('CreateAlias', { AliasName: 'alias/two', TargetKeyId: keyIds[1] });
  await send('UpdateAlias', { AliasName: 'alias/two', TargetKeyId: keyIds[2] });
  await send('DeleteAlias', { AliasName: 'alias/one' });
  await send('TagResource', { KeyId: keyIds[1], Tags: [{ TagKey: 'team', TagValue: 'blue' }] });
  await send('UntagResource', { KeyId: keyIds[0], TagKeys: ['n'] });
  await send('UpdateKeyDescription', { KeyId: keyIds[3], Description: 'changed' });
  await send('DisableKey', { KeyId: keyIds[3] });
  await send('EnableKeyRotation', { KeyId: keyIds[4], RotationPeriodInDays: 90 });
  await send('RotateKeyOnDemand', { KeyId: keyIds[1] });
  const ciphertext = Buffer.from((await send('Encrypt', { KeyId: keyIds[1], Plaintext: Buffer.from('hello').toString('base64') })).CiphertextBlob, 'base64').toString('base64');
  await send('ScheduleKeyDeletion', { KeyId: keyIds[2], PendingWindowInDays: 7 });
  await send('DescribeKey', { KeyId: keyIds[0] });
  // The read's audit event rides along with this change.
  await send('TagResource', { KeyId: keyIds[0], Tags: [{ TagKey: 'last', TagValue: 'call' }] });
  return { keyIds, ciphertext };
}

describe('durable store: round trips', () => {
  it('a new directory gets a snapshot, a journal and a lock; close compacts and unlocks', async () => {
    const dir = tempDir();
    const kms = newKms();
    const store = await openStore(dir, kms);
    expect(existsSync(join(dir, SNAPSHOT_FILE))).toBe(true);
    expect(existsSync(join(dir, JOURNAL_FILE))).toBe(true);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    expect(store.recovery).toMatchObject({ snapshot: false, records: 0, tornBytes: 0 });
    await workload(kms, store);
    expect(statSync(join(dir, JOURNAL_FILE)).size).toBeGreaterThan(0);
    await store.close();
    expect(statSync(join(dir, JOURNAL_FILE)).size).toBe(0);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const snapshot = JSON.parse(readFileSync(join(dir, SNAPSHOT_FILE), 'utf8'));
    expect(snapshot).toMatchObject({ format: 'kms-emulator/data-dir', version: 2 });
    // The engine snapshot inside restores on its own.
    const plain = newKms();
    plain.restore(snapshot.engine);
    expect(comparable(plain.snapshot())).toEqual(comparable(kms.snapshot()));
  });

  it('after a clean close, reopening restores exactly the live state', async () => {
    const dir = tempDir();
    const kms = newKms('round-trip');
    const store = await openStore(dir, kms);
    const { keyIds, ciphertext } = await workload(kms, store);
    await store.close();
    const again = newKms('round-trip');
    const reopened = await openStore(dir, again);
    expect(reopened.recovery).toMatchObject({ snapshot: true, records: 0 });
    expect(comparable(again.snapshot())).toEqual(comparable(kms.snapshot()));
    // The seeded stream continues where it was; secrets survived: the old ciphertext decrypts.
    expect(again.engine.newId()).toBe(kms.engine.newId());
    const plain = await again.aws.send('Decrypt', { CiphertextBlob: ciphertext });
    expect(Buffer.from(plain.Plaintext, 'base64').toString()).toBe('hello');
    expect(plain.KeyId).toContain(keyIds[1]);
  });

  it('after a crash (no close), the journal replays to exactly the live state', async () => {
    const dir = tempDir();
    const kms = newKms('crash');
    const store = await openStore(dir, kms);
    await workload(kms, store);
    // Reads and audit events that rode along with the last commit are there too.
    const copy = crashCopy(dir);
    const again = newKms('crash');
    const reopened = await openStore(copy, again);
    expect(reopened.recovery.records).toBeGreaterThan(10);
    expect(comparable(again.snapshot())).toEqual(comparable(kms.snapshot()));
    expect(again.aws.cloudTrail()).toEqual(kms.aws.cloudTrail());
  });

  it('due work that came due while the directory was closed happens at open, and is durable', async () => {
    const dir = tempDir();
    const kms = newKms();
    const store = await openStore(dir, kms);
    const id = (await kms.aws.send('CreateKey', {})).KeyMetadata.KeyId;
    await kms.aws.send('ScheduleKeyDeletion', { KeyId: id, PendingWindowInDays: 7 });
    await store.commit();
    await store.close();
    const later = createKms({ clock: new ManualClock(Date.parse(START) + 8 * 86_400_000) });
    const reopened = await openStore(dir, later);
    expect(later.engine.findKey({ realm: { account: '111122223333', region: 'us-east-1' }, principal: { account: '1', type: 'root', id: '1' }, requestId: 'r' }, { keyId: id })).toBeUndefined();
    expect(later.engine.audit.list().at(-1)).toMatchObject({ kind: 'service_event', action: 'delete-key' });
    const copy = crashCopy(dir);
    await reopened.close();
    const third = createKms({ clock: new ManualClock(Date.parse(START) + 9 * 86_400_000) });
    await openStore(copy, third);
    expect(comparable(third.snapshot()).realms).toEqual(comparable(later.snapshot()).realms);
  });

  it('a multi-Region family survives a crash and a clean reopen; a replica still Creating settles after the reopen', async () => {
    const dir = tempDir();
    const kms = newKms('mrk');
    const store = await openStore(dir, kms);
    const id = (await kms.aws.send('CreateKey', { MultiRegion: true })).KeyMetadata.KeyId as string;
    await kms.aws.send('ReplicateKey', { KeyId: id, ReplicaRegion: 'eu-west-1' });
    await store.commit();
    kms.clock.advance('5s');
    await kms.aws.send('ReplicateKey', { KeyId: id, ReplicaRegion: 'ap-south-1' }, { region: 'us-east-1' });
    await kms.aws.send('ScheduleKeyDeletion', { KeyId: id, PendingWindowInDays: 7 });
    await store.commit();
    const copy = crashCopy(dir);
    const again = newKms('mrk');
    again.clock.set(kms.clock.now());
    await openStore(copy, again);
    expect(comparable(again.snapshot())).toEqual(comparable(kms.snapshot()));
    const described = await again.aws.send('DescribeKey', { KeyId: id }, { region: 'ap-south-1' });
    expect(described.KeyMetadata.KeyState).toBe('Creating');
    expect(described.KeyMetadata.MultiRegionConfiguration.ReplicaKeys.map((r: { Region: string }) => r.Region)).toEqual(['eu-west-1', 'ap-south-1']);
    expect((await again.aws.send('DescribeKey', { KeyId: id })).KeyMetadata.KeyState).toBe('PendingReplicaDeletion');
    again.clock.advance('5s');
    expect((await again.aws.send('DescribeKey', { KeyId: id }, { region: 'ap-south-1' })).KeyMetadata.KeyState).toBe('Enabled');
    // A clean close compacts into the snapshot file, whose keys are read back on demand.
    await store.close();
    const third = newKms('mrk');
    third.clock.set(kms.clock.now());
    await openStore(dir, third);
    expect(comparable(third.snapshot())).toEqual(comparable(kms.snapshot()));
    third.clock.advance('5s');
    expect((await third.aws.send('DescribeKey', { KeyId: id }, { region: 'ap-south-1' })).KeyMetadata.KeyState).toBe('Enabled');
  });

  it('an older imported material that expires while the directory is closed expires at open (the current one does not expire)', async () => {
    const dir = tempDir();
    const kms = newKms('materials');
    const store = await openStore(dir, kms);
    const id = (await kms.aws.send('CreateKey', { Origin: 'EXTERNAL' })).KeyMetadata.KeyId;
    const params = await kms.aws.send('GetParametersForImport', { KeyId: id, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
    const wrapping = createPublicKey({ key: Buffer.from(params.PublicKey, 'base64'), format: 'der', type: 'spki' });
    const wrap = (fill: number) => publicEncrypt({ key: wrapping, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.alloc(32, fill)).toString('base64');
    const day = Date.parse(START) / 1000 + 86_400;
    await kms.aws.send('ImportKeyMaterial', { KeyId: id, ImportToken: params.ImportToken, EncryptedKeyMaterial: wrap(1), ValidTo: day });
    await kms.aws.send('ImportKeyMaterial', { KeyId: id, ImportToken: params.ImportToken, EncryptedKeyMaterial: wrap(2), ImportType: 'NEW_KEY_MATERIAL', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    await kms.aws.send('RotateKeyOnDemand', { KeyId: id });
    await store.commit();
    await store.close();
    const later = createKms({ clock: new ManualClock(Date.parse(START) + 2 * 86_400_000) });
    await openStore(dir, later);
    expect((await later.aws.send('DescribeKey', { KeyId: id })).KeyMetadata).toMatchObject({ KeyState: 'PendingImport', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    const rotations = (await later.aws.send('ListKeyRotations', { KeyId: id, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' })).Rotations;
    expect(rotations.map((r: { ImportState: string }) => r.ImportState)).toEqual(['PENDING_IMPORT', 'IMPORTED']);
  });

  it('a commit with nothing changed does no I/O; reads are written shortly after, without a commit of their own', async () => {
    const dir = tempDir();
    const kms = newKms();
    // The store's delayed flush runs when the test says, not when a real timer fires.
    const scheduled: Array<{ flush: () => void; ms: number; cleared: boolean }> = [];
    const timer: StoreTimer = {
      set(flush, ms) {
        const entry = { flush, ms, cleared: false };
        scheduled.push(entry);
        return entry;
      },
      clear: (entry) => void ((entry as (typeof scheduled)[number]).cleared = true),
    };
    const store = await openStore(dir, kms, { auditFlushMs: 50, timer });
    const id = (await kms.aws.send('CreateKey', {})).KeyMetadata.KeyId;
    await store.commit();
    const size = statSync(join(dir, JOURNAL_FILE)).size;
    await store.commit();
    expect(statSync(join(dir, JOURNAL_FILE)).size).toBe(size);
    expect(scheduled).toEqual([]);
    await kms.aws.send('DescribeKey', { KeyId: id });
    await store.commit();
    await store.settled();
    // Not written by the commit...
    expect(statSync(join(dir, JOURNAL_FILE)).size).toBe(size);
    // ...but shortly after: auditFlushMs later, one flush is due.
    expect(scheduled.map((s) => [s.ms, s.cleared])).toEqual([[50, false]]);
    scheduled[0]!.flush();
    await store.settled();
    expect(statSync(join(dir, JOURNAL_FILE)).size).toBeGreaterThan(size);
    const again = newKms();
    await openStore(crashCopy(dir), again);
    expect(again.engine.audit.list().map((e) => e.action)).toEqual(['CreateKey', 'DescribeKey']);
  });

  it('with the default timer, the audit events of reads reach the journal on their own', async () => {
    const dir = tempDir();
    const kms = newKms();
    const store = await openStore(dir, kms, { auditFlushMs: 20 });
    const id = (await kms.aws.send('CreateKey', {})).KeyMetadata.KeyId;
    await store.commit();
    const journal = join(dir, JOURNAL_FILE);
    const size = statSync(journal).size;
    const grown = new Promise<void>((resolve, reject) => {
      const watcher = watch(journal, () => {
        if (statSync(journal).size <= size) return;
        watcher.close();
        resolve();
      });
      setTimeout(() => (watcher.close(), reject(new Error('the journal did not grow within 10 s'))), 10_000).unref();
    });
    await kms.aws.send('DescribeKey', { KeyId: id });
    await store.commit();
    await grown;
    await store.settled();
    const again = newKms();
    await openStore(crashCopy(dir), again);
    expect(again.engine.audit.list().map((e) => e.action)).toEqual(['CreateKey', 'DescribeKey']);
  });

  it('concurrent commits share writes (group commit) and each resolves only once its change is on disk', async () => {
    const dir = tempDir();
    const kms = newKms();
    const store = await openStore(dir, kms);
    const before = store.recovery;
    expect(before.records).toBe(0);
    const calls = Array.from({ length: 50 }, async (_, i) => {
      const out = await kms.aws.send('CreateKey', { Description: `k${i}` });
      await store.commit();
      // Acknowledged: a crash now must keep it.
      const copy = crashCopy(dir);
      const probe = newKms();
      const probeStore = await DurableStore.open(copy, probe.engine);
      const found = probe.engine.findKey({ realm: { account: '111122223333', region: 'us-east-1' }, principal: { account: '1', type: 'root', id: '1' }, requestId: 'r' }, { keyId: out.KeyMetadata.KeyId });
      await probeStore.close();
      return found !== undefined;
    });
    expect(await Promise.all(calls)).toEqual(Array(50).fill(true));
    const frames = countFrames(readFileSync(join(dir, JOURNAL_FILE)));
    expect(frames).toBeLessThan(50);
  });
});

function countFrames(buf: Buffer): number {
  let n = 0;
  for (let at = 0; at + 12 <= buf.length; at += 12 + buf.readUInt32LE(at + 4)) n++;
  return n;
}

describe('durable store: damaged journals', () => {
  async function journalOfThree(): Promise<{ dir: string; kms: Kms<ManualClock>; ids: string[]; ends: number[] }> {
    const dir = tempDir();
    const kms = newKms();
    const store = await openStore(dir, kms);
    const ids: string[] = [];
    const ends: number[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await kms.aws.send('CreateKey', { Description: `k${i}` })).KeyMetadata.KeyId);
      await store.commit();
      ends.push(statSync(join(dir, JOURNAL_FILE)).size);
    }
    return { dir: crashCopy(dir), kms, ids, ends };
  }
  const describeIds = (kms: Kms) => kms.snapshot().realms.flatMap((r) => r.keys.map((k) => k.id));

  it('a torn last record is dropped and the journal truncated to its intact part', async () => {
    const { dir, ids, ends } = await journalOfThree();
    const cut = ends[1]! + Math.floor((ends[2]! - ends[1]!) / 2);
    truncateSync(join(dir, JOURNAL_FILE), cut);
    const logs: string[] = [];
    const kms = newKms();
    const store = await openStore(dir, kms, { log: (m) => logs.push(m) });
    expect(store.recovery).toMatchObject({ records: 2, tornBytes: cut - ends[1]! });
    expect(describeIds(kms)).toEqual(ids.slice(0, 2));
    expect(statSync(join(dir, JOURNAL_FILE)).size).toBe(ends[1]);
    expect(logs.join('\n')).toMatch(/torn last record/);
    // And it keeps working: the next record follows the intact ones.
    await kms.aws.send('CreateKey', {});
    await store.commit();
    const again = newKms();
    await openStore(crashCopy(dir), again);
    expect(describeIds(again)).toHaveLength(3);
  });

  it('a torn header, and zeros where a record was being written, count as a torn tail too', async () => {
    for (const damage of ['header', 'zeros'] as const) {
      const { dir, ids, ends } = await journalOfThree();
      const path = join(dir, JOURNAL_FILE);
      if (damage === 'header') truncateSync(path, ends[1]! + 5);
      else {
        truncateSync(path, ends[1]!);
        appendFileSync(path, Buffer.alloc(4096));
      }
      const kms = newKms();
      const store = await openStore(dir, kms);
      expect(store.recovery.records).toBe(2);
      expect(describeIds(kms)).toEqual(ids.slice(0, 2));
      await store.close();
    }
  });

  it('a damaged record with intact records after it refuses to open, changing nothing on disk', async () => {
    const { dir, ends } = await journalOfThree();
    const path = join(dir, JOURNAL_FILE);
    const bytes = readFileSync(path);
    bytes[ends[0]! + 40]! ^= 0x01; // inside record 2's payload
    writeFileSync(path, bytes);
    const error = await DurableStore.open(dir, newKms().engine).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DurableStoreError);
    expect((error as DurableStoreError).code).toBe('CORRUPT');
    expect((error as Error).message).toMatch(new RegExp(`damaged at offset ${ends[0]}.*checksum.*intact records follow`));
    expect(readFileSync(path)).toEqual(bytes);
    // The failed open released the lock.
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it("with onCorruption: 'truncate', it keeps a copy and starts from the intact records before the damage", async () => {
    const { dir, ids, ends } = await journalOfThree();
    const path = join(dir, JOURNAL_FILE);
    const bytes = readFileSync(path);
    bytes[ends[0]! + 40]! ^= 0x01;
    writeFileSync(path, bytes);
    const kms = newKms();
    const store = await openStore(dir, kms, { onCorruption: 'truncate' });
    expect(store.recovery.corruption).toMatchObject({ offset: ends[0], droppedBytes: ends[2]! - ends[0]! });
    expect(readFileSync(store.recovery.corruption!.copy)).toEqual(bytes);
    expect(describeIds(kms)).toEqual(ids.slice(0, 1));
    expect(statSync(path).size).toBe(ends[0]);
  });

  it("the store's own snapshot skips the schema check (checksum); one edited by hand is checked in full", async () => {
    const dir = tempDir();
    const kms = newKms();
    const store = await openStore(dir, kms);
    await workload(kms, store);
    await store.close();
    const own = newKms();
    const reopened = await openStore(dir, own);
    expect(reopened.recovery.snapshotCheck).toBe('checksum');
    await reopened.close();
    // Reformatted by hand: same content, checksum no longer matches.
    const path = join(dir, SNAPSHOT_FILE);
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, JSON.stringify(doc, null, 2));
    const edited = newKms();
    const editedStore = await openStore(dir, edited);
    expect(editedStore.recovery.snapshotCheck).toBe('schema');
    expect(comparable(edited.snapshot())).toEqual(comparable(kms.snapshot()));
    await editedStore.close();
    // An invalid edit is caught by the schema, with the path of the bad field.
    const again = JSON.parse(readFileSync(path, 'utf8'));
    again.engine.realms[0].keys[0].spec = 'BOGUS';
    writeFileSync(path, JSON.stringify(again));
    await expect(DurableStore.open(dir, newKms().engine)).rejects.toMatchObject({ code: 'CORRUPT', message: expect.stringMatching(/realms\.0\.keys\.0\.spec/) });
  });

  it('a damaged snapshot refuses to open', async () => {
    const dir = tempDir();
    const store = await openStore(dir, newKms());
    await store.close();
    writeFileSync(join(dir, SNAPSHOT_FILE), '{"format":"kms-emulator/data-dir","version":1,"lsn":0,"engine":{"format":');
    await expect(DurableStore.open(dir, newKms().engine)).rejects.toMatchObject({ code: 'CORRUPT' });
  });

  it('a crash between writing a compacted snapshot and emptying the journal replays nothing twice', async () => {
    const dir = tempDir();
    const kms = newKms();
    const store = await openStore(dir, kms);
    const { keyIds } = await workload(kms, store);
    const journal = readFileSync(join(dir, JOURNAL_FILE));
    await store.close(); // compacts: the snapshot holds every record
    // Put the old journal back, as if the crash came just before it was emptied.
    writeFileSync(join(dir, JOURNAL_FILE), journal);
    const again = newKms();
    const reopened = await openStore(dir, again);
    expect(reopened.recovery.records).toBe(0);
    expect(reopened.recovery.skipped).toBeGreaterThan(0);
    expect(comparable(again.snapshot())).toEqual(comparable(kms.snapshot()));
    expect(keyIds).toHaveLength(5);
  });
});

describe('durable store: compaction and the lock', () => {
  it('compacts once the journal passes the threshold; the state survives', async () => {
    const dir = tempDir();
    const kms = newKms();
    const store = await openStore(dir, kms, { compactBytes: 20_000 });
    for (let i = 0; i < 40; i++) {
      await kms.aws.send('CreateKey', { Description: `k${i}` });
      await store.commit();
    }
    await store.settled();
    expect(statSync(join(dir, JOURNAL_FILE)).size).toBeLessThan(20_000 + 10_000);
    const again = newKms();
    await openStore(crashCopy(dir), again);
    expect(comparable(again.snapshot())).toEqual(comparable(kms.snapshot()));
  });

  it('a second open of a locked directory refuses with a clear message', async () => {
    const dir = tempDir();
    await openStore(dir, newKms());
    const error = await DurableStore.open(dir, newKms().engine).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'LOCKED' });
    expect((error as Error).message).toMatch(/is in use by another kms-emulator/);
  });

  it('a lock left by a process that is gone is taken over', async () => {
    const dir = tempDir();
    const store = await openStore(dir, newKms());
    await store.close();
    // A pid that does not run (pid_max is at most 2^22 on Linux).
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 4_194_304 + 7, host: 'gone', nonce: 'x', since: START }));
    await openStore(dir, newKms());
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
  });

  it('commit after close is refused', async () => {
    const dir = tempDir();
    const kms = newKms();
    const store = await openStore(dir, kms);
    await store.close();
    await kms.aws.send('CreateKey', {});
    await expect(store.commit()).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
