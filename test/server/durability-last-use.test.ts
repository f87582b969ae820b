/**
 * A key's last use (GetKeyLastUsage) in the durable store: written with the audit events of reads
 * (no key entry per cryptographic call), read back from the journal after a crash and from the
 * snapshot after a clean close.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKms, ManualClock, type Kms } from '../../src/index.js';
import { DurableStore, JOURNAL_FILE } from '../../src/server/store.js';

const dirs: string[] = [];
const stores: DurableStore[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kms-last-use-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => {});
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function open(dir: string, kms: Kms): Promise<DurableStore> {
  const store = await DurableStore.open(dir, kms.engine, { auditFlushMs: 5 });
  stores.push(store);
  return store;
}

const newKms = () => createKms({ clock: new ManualClock('2026-01-01T00:00:00Z') });

describe('last use in the durable store', () => {
  it('a use is journalled as a last use beside its audit event, and survives a crash and a clean close', async () => {
    const dir = tempDir();
    const kms = newKms();
    const store = await open(dir, kms);
    const keyId = (await kms.aws.send('CreateKey', { Description: 'x'.repeat(2000) })).KeyMetadata.KeyId as string;
    await store.commit();
    const before = readFileSync(join(dir, JOURNAL_FILE)).length;

    kms.clock.advance('1h');
    await kms.aws.send('Encrypt', { KeyId: keyId, Plaintext: btoa('secret') });
    // A cryptographic call changes no key: the store writes it with the audit events of reads.
    expect(kms.engine.pendingChanges()).toBe('audit');
    await store.commit();
    await new Promise((r) => setTimeout(r, 50));
    await store.settled();
    const journal = readFileSync(join(dir, JOURNAL_FILE), 'utf8');
    const grown = journal.slice(before);
    expect(grown).toContain('"lastUses"');
    // The key's entry (its 2,000-character description) is not written again.
    expect(grown).not.toContain('x'.repeat(2000));
    const expected = await kms.aws.send('GetKeyLastUsage', { KeyId: keyId });
    expect(expected.KeyLastUsage.Operation).toBe('Encrypt');

    // A crash: the copy replays the journal.
    const copy = tempDir();
    rmSync(copy, { recursive: true });
    cpSync(dir, copy, { recursive: true });
    rmSync(join(copy, 'lock'), { force: true });
    const crashed = newKms();
    await open(copy, crashed);
    expect((await crashed.aws.send('GetKeyLastUsage', { KeyId: keyId })).KeyLastUsage).toEqual(expected.KeyLastUsage);

    // A clean close: the snapshot holds it.
    await store.close();
    const reopened = newKms();
    await open(dir, reopened);
    expect(readFileSync(join(dir, JOURNAL_FILE)).length).toBe(0);
    expect((await reopened.aws.send('GetKeyLastUsage', { KeyId: keyId })).KeyLastUsage).toEqual(expected.KeyLastUsage);
  });
});
