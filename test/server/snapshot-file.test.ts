/**
 * snapshot.json version 2 (the audit events' position and sizes after the engine snapshot, read on
 * first use) and version 1 (what earlier releases wrote): both open, an intact file by its
 * checksum, a changed one through the schema, a damaged one not at all.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineSnapshot } from '../../src/engine/snapshot.js';
import { createKms, ManualClock, type Kms } from '../../src/index.js';
import { DurableStore, SNAPSHOT_FILE } from '../../src/server/store.js';

const dirs: string[] = [];
const stores: DurableStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => {});
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The state without the snapshot's own date. */
const comparable = ({ takenAt: _takenAt, ...rest }: EngineSnapshot) => rest;

const newKms = (): Kms<ManualClock> => createKms({ clock: new ManualClock('2026-01-01T00:00:00Z'), seed: 'snapshot-file' });

async function open(dir: string, kms: Kms, options: Parameters<typeof DurableStore.open>[2] = {}): Promise<DurableStore> {
  const store = await DurableStore.open(dir, kms.engine, options);
  stores.push(store);
  return store;
}

/** A closed directory with keys, an alias, reads and a failed call in its audit trail; and the state it holds. */
async function written(options: Parameters<typeof DurableStore.open>[2] = {}): Promise<{ dir: string; kms: Kms<ManualClock>; trail: unknown[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'kms-snapshot-file-'));
  dirs.push(dir);
  const kms = newKms();
  const store = await open(dir, kms, options);
  const ids: string[] = [];
  for (let i = 0; i < 40; i++) {
    ids.push((await kms.aws.send('CreateKey', { Description: `key ${i}`, Tags: [{ TagKey: 'n', TagValue: String(i) }] })).KeyMetadata.KeyId);
    await store.commit();
  }
  await kms.aws.send('CreateAlias', { AliasName: 'alias/first', TargetKeyId: ids[0] });
  await kms.aws.send('DescribeKey', { KeyId: 'alias/first' });
  await kms.aws.send('DescribeKey', { KeyId: 'alias/missing' }).catch(() => {});
  await store.commit();
  await store.close();
  return { dir, kms, trail: kms.aws.cloudTrail() };
}

/** The same state as version 1 wrote it: the engine snapshot whole, its CRC-32 after it. */
function asVersionOne(dir: string): void {
  const doc = JSON.parse(readFileSync(join(dir, SNAPSHOT_FILE), 'utf8'));
  const engine = JSON.stringify(doc.engine);
  const text = `{"format":"kms-emulator/data-dir","version":1,"lsn":${doc.lsn},"engine":${engine},"engineCrc32":${crc32(Buffer.from(engine))}}\n`;
  writeFileSync(join(dir, SNAPSHOT_FILE), text);
}

describe('snapshot.json', () => {
  it("version 2 holds the whole engine snapshot (audit list last), where its audit events and each key's text are, and the audit events' sizes", async () => {
    const { dir } = await written();
    const bytes = readFileSync(join(dir, SNAPSHOT_FILE));
    const doc = JSON.parse(bytes.toString('utf8'));
    expect(Object.keys(doc)).toEqual(['format', 'version', 'lsn', 'engine', 'auditAt', 'auditSizes', 'keyIndex', 'crc32']);
    expect(Object.keys(doc.engine).at(-1)).toBe('audit');
    expect(JSON.parse(bytes.toString('utf8', doc.auditAt, bytes.lastIndexOf(',"auditAt":') - 1))).toEqual(doc.engine.audit);
    const [realm] = doc.keyIndex;
    const keys = doc.engine.realms[0].keys;
    expect(doc.keyIndex).toHaveLength(1);
    expect(realm.ids).toEqual(keys.map((k: { id: string }) => k.id));
    expect(realm.seqs).toEqual(keys.map((k: { seq: number }) => k.seq));
    expect(JSON.parse(bytes.toString('utf8', realm.open, realm.close + 1))).toEqual(keys);
    for (let i = 0; i < keys.length; i++) {
      expect(JSON.parse(bytes.toString('utf8', realm.at[i], i + 1 < keys.length ? realm.at[i + 1] - 1 : realm.close))).toEqual(keys[i]);
    }
    expect(realm.due).toEqual([]);
  });

  it('the key index names the keys with due work, which open reads at once', async () => {
    const { dir } = await written();
    const kms = newKms();
    const store = await open(dir, kms);
    const ids = (await kms.aws.send('ListKeys', { Limit: 10 })).Keys.map((k: { KeyId: string }) => k.KeyId);
    await kms.aws.send('ScheduleKeyDeletion', { KeyId: ids[2], PendingWindowInDays: 7 });
    await kms.aws.send('EnableKeyRotation', { KeyId: ids[5], RotationPeriodInDays: 90 });
    await store.commit();
    await store.close();
    const doc = JSON.parse(readFileSync(join(dir, SNAPSHOT_FILE), 'utf8'));
    expect(doc.keyIndex[0].due).toEqual([2, 5]);
    const later = createKms({ clock: new ManualClock(Date.parse('2026-01-01T00:00:00Z') + 100 * 86_400_000), seed: 'snapshot-file' });
    await open(dir, later);
    expect(later.aws.cloudTrail().filter((r) => r.eventType === 'AwsServiceEvent').map((r) => r.eventName).sort()).toEqual(['DeleteKey', 'RotateKey']);
  });

  it('the audit sizes are the stream\'s own', async () => {
    const { dir, kms } = await written();
    const doc = JSON.parse(readFileSync(join(dir, SNAPSHOT_FILE), 'utf8'));
    expect(doc.engine.audit).toEqual(JSON.parse(JSON.stringify(kms.engine.audit.list())));
    expect(doc.auditSizes).toEqual(kms.engine.audit.sizes());
    // The engine snapshot inside restores on its own.
    const plain = newKms();
    plain.restore(doc.engine);
    expect(comparable(plain.snapshot())).toEqual(comparable(kms.snapshot()));
  });

  it('an intact version 2 file opens by its checksum with the same state, audit trail and audit sizes, and writes them back the same', async () => {
    const { dir, kms, trail } = await written();
    const first = readFileSync(join(dir, SNAPSHOT_FILE));
    const again = newKms();
    const store = await open(dir, again);
    expect(store.recovery.snapshotCheck).toBe('checksum');
    expect({ size: again.engine.audit.size, bytes: again.engine.audit.bytes }).toEqual({ size: kms.engine.audit.size, bytes: kms.engine.audit.bytes });
    expect(again.engine.audit.sizes()).toEqual(kms.engine.audit.sizes());
    expect(comparable(again.snapshot())).toEqual(comparable(kms.snapshot()));
    expect(again.aws.cloudTrail()).toEqual(trail);
    // Closed without a change: nothing to compact, the file stays as it was.
    await store.close();
    expect(readFileSync(join(dir, SNAPSHOT_FILE))).toEqual(first);
  });

  it('audit events appended after open are journaled without the snapshot ones, and all of them are in the next snapshot', async () => {
    const { dir, trail } = await written();
    const again = newKms();
    const store = await open(dir, again);
    await again.aws.send('ListKeys', {});
    await again.aws.send('CreateKey', { Description: 'after' });
    await store.commit();
    await store.close();
    const third = newKms();
    const reopened = await open(dir, third);
    expect(reopened.recovery.snapshotCheck).toBe('checksum');
    const names = third.aws.cloudTrail().map((r) => r.eventName);
    expect(third.aws.cloudTrail().slice(0, trail.length)).toEqual(trail);
    expect(names.slice(trail.length)).toEqual(['ListKeys', 'CreateKey']);
  });

  it('the snapshot keeps the last snapshotAuditEvents events and their sizes', async () => {
    const { dir, kms } = await written({ snapshotAuditEvents: 7 });
    const doc = JSON.parse(readFileSync(join(dir, SNAPSHOT_FILE), 'utf8'));
    expect(doc.engine.audit).toHaveLength(7);
    expect(doc.auditSizes).toEqual(kms.engine.audit.sizes().slice(-7));
    const again = newKms();
    await open(dir, again);
    expect(again.aws.cloudTrail()).toEqual(kms.aws.cloudTrail().slice(-7));
  });

  it('a version 1 file (as earlier releases wrote it) still opens by its checksum, with the same state', async () => {
    const { dir, kms, trail } = await written();
    asVersionOne(dir);
    const again = newKms();
    const store = await open(dir, again);
    expect(store.recovery.snapshotCheck).toBe('checksum');
    expect(comparable(again.snapshot())).toEqual(comparable(kms.snapshot()));
    expect(again.aws.cloudTrail()).toEqual(trail);
    // Its next snapshot is version 2.
    await again.aws.send('CreateKey', {});
    await store.commit();
    await store.close();
    expect(JSON.parse(readFileSync(join(dir, SNAPSHOT_FILE), 'utf8')).version).toBe(2);
  });

  it('a version 1 file edited by hand is checked in full', async () => {
    const { dir } = await written();
    asVersionOne(dir);
    const doc = JSON.parse(readFileSync(join(dir, SNAPSHOT_FILE), 'utf8'));
    doc.engine.realms[0].keys[0].description = 'edited';
    writeFileSync(join(dir, SNAPSHOT_FILE), JSON.stringify(doc));
    const again = newKms();
    const store = await open(dir, again);
    expect(store.recovery.snapshotCheck).toBe('schema');
    expect(again.engine.snapshot().realms[0]!.keys[0]!.description).toBe('edited');
  });

  it('a version 2 file whose audit events were edited is checked in full, and the edit is what opens', async () => {
    const { dir, trail } = await written();
    const path = join(dir, SNAPSHOT_FILE);
    const text = readFileSync(path, 'utf8');
    // Same length, same layout: only the checksum tells.
    const edited = text.replace('"action":"DescribeKey"', '"action":"DescribeKeX"');
    expect(edited).not.toBe(text);
    writeFileSync(path, edited);
    const again = newKms();
    const store = await open(dir, again);
    expect(store.recovery.snapshotCheck).toBe('schema');
    expect(again.engine.audit.list().map((e) => e.action)).toContain('DescribeKeX');
    expect(again.aws.cloudTrail()).toHaveLength(trail.length);
  });

  it('a damaged version 2 file refuses to open, wherever the damage is (audit events included), before any call is answered', async () => {
    const { dir } = await written();
    const path = join(dir, SNAPSHOT_FILE);
    const good = readFileSync(path);
    const doc = JSON.parse(good.toString('utf8'));
    const damage = (at: number, text: string) => {
      const bad = Buffer.from(good);
      bad.write(text, at, 'latin1');
      writeFileSync(path, bad);
    };
    // Structure, not string content: a changed string that keeps the file valid is an edit by hand.
    const inAudit = doc.auditAt + 1;
    const inKeys = good.indexOf('"keys":[') + 8;
    for (const [label, at, text] of [
      ['audit events: not JSON', inAudit, '}'],
      ['audit events: a time that is not a number', good.indexOf('"time":', doc.auditAt) + 7, '"'],
      ['keys: not JSON', inKeys, ']'],
      ['the audit sizes', good.lastIndexOf('"auditSizes":[') + 14, 'x'],
      ['the key index', good.lastIndexOf('"keyIndex":[') + 12, ']'],
      ['a key', doc.keyIndex[0].at[3], ']'],
      ['cut short', -1, ''],
    ] as Array<[string, number, string]>) {
      if (at < 0) writeFileSync(path, good.subarray(0, doc.auditAt + 100));
      else damage(at, text);
      await expect(DurableStore.open(dir, newKms().engine), label).rejects.toMatchObject({ code: 'CORRUPT' });
    }
    writeFileSync(path, good);
    await open(dir, newKms());
  });

  it('opens with a tiny piece size too, audit events included', async () => {
    const { dir, kms, trail } = await written();
    const again = newKms();
    const store = await open(dir, again, { jsonPieceBytes: 64 });
    expect(store.recovery.snapshotCheck).toBe('checksum');
    expect(comparable(again.snapshot())).toEqual(comparable(kms.snapshot()));
    expect(again.aws.cloudTrail()).toEqual(trail);
  });
});
