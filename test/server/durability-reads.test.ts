/**
 * What a read's commit waits for in a durable store: a write in flight that carries key changes
 * (the read may have seen them, so its answer must not come before they are on disk), and nothing
 * when no such write is pending.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKms } from '../../src/index.js';
import { DurableStore } from '../../src/server/store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function openStore() {
  const dir = mkdtempSync(join(tmpdir(), 'kms-reads-'));
  dirs.push(dir);
  const kms = createKms();
  const store = await DurableStore.open(dir, kms.engine);
  return { kms, store };
}

describe('durable store: reads', () => {
  it('a read that may have seen a key being written answers only after that write is on disk', async () => {
    const { kms, store } = await openStore();
    const created = await kms.aws.send('CreateKey', {});
    const order: string[] = [];
    const write = store.commit().then(() => order.push('write'));
    // Let the batch start: it takes the engine's changes and is writing them.
    await new Promise((resolve) => setImmediate(resolve));
    expect(kms.engine.pendingChanges()).not.toBe('state');
    const described = await kms.aws.send('DescribeKey', { KeyId: created.KeyMetadata!.KeyId! });
    expect(described.KeyMetadata!.KeyId).toBe(created.KeyMetadata!.KeyId);
    const read = store.commit().then(() => order.push('read'));
    await Promise.all([write, read]);
    expect(order).toEqual(['write', 'read']);
    await store.close();
  });

  it('a read with no key write pending does no I/O and resolves at once; its audit event is written later', async () => {
    const { kms, store } = await openStore();
    const created = await kms.aws.send('CreateKey', {});
    await store.commit();
    await kms.aws.send('DescribeKey', { KeyId: created.KeyMetadata!.KeyId! });
    expect(kms.engine.pendingChanges()).toBe('audit');
    let resolved = false;
    const read = store.commit().then(() => (resolved = true));
    // Resolved within the current turn's microtasks: no file write sits between.
    await Promise.resolve();
    await Promise.resolve();
    expect(resolved).toBe(true);
    await read;
    expect(kms.engine.pendingChanges()).toBe('audit');
    await store.close();
    expect(kms.engine.pendingChanges()).toBeUndefined();
  });
});
