/**
 * Keys restored from an intact snapshot are built from their entries when first read
 * (OrderedIndex.addDeferred): every answer is the same as after a full restore, due work included.
 */
import { describe, expect, it } from 'vitest';
import { OrderedIndex } from '../../src/engine/ordered.js';
import { createKms, ManualClock, type Kms } from '../../src/index.js';

describe('an ordered index with deferred items', () => {
  it('makes each deferred value once, when first read, and otherwise behaves as the eager index', () => {
    const made: string[] = [];
    const lazy = new OrderedIndex<{ id: string; n: number }, number>((n) => {
      made.push(`v${n}`);
      return { id: `v${n}`, n };
    });
    const eager = new OrderedIndex<{ id: string; n: number }>();
    for (let n = 1; n <= 200; n++) {
      lazy.addDeferred(`v${n}`, n, n);
      eager.add(`v${n}`, n, { id: `v${n}`, n });
    }
    expect(made).toEqual([]);
    expect(lazy.size).toBe(200);
    expect(lazy.has('v7') && lazy.seqOf('v7') === 7).toBe(true);
    expect(made).toEqual([]);
    expect(lazy.get('v7')).toEqual({ id: 'v7', n: 7 });
    expect(lazy.get('v7')).toBe(lazy.get('v7'));
    expect(made).toEqual(['v7']);
    expect(lazy.page(5, 3)).toEqual(eager.page(5, 3));
    expect(made).toEqual(['v7', 'v5', 'v6']);
    // Removed and replaced items are never made from their source.
    for (let n = 10; n <= 150; n++) {
      lazy.remove(`v${n}`);
      eager.remove(`v${n}`);
    }
    lazy.replace('v160', { id: 'v160', n: -1 });
    eager.replace('v160', { id: 'v160', n: -1 });
    lazy.add('w', 1000, { id: 'w', n: 1000 });
    eager.add('w', 1000, { id: 'w', n: 1000 });
    expect(lazy.get('v20')).toBeUndefined();
    expect(lazy.page(0, 1000)).toEqual(eager.page(0, 1000));
    expect([...lazy.values()]).toEqual([...eager.values()]);
    expect(made.filter((m) => m === 'v160' || /^v(1[0-4][0-9]|150)$/.test(m))).toEqual([]);
    expect(new Set(made).size).toBe(made.length);
    expect(() => eager.addDeferred('x', 2000, undefined as never)).toThrow();
    // Every deferred item made or gone: the index no longer holds the maker; made values stay.
    expect([...lazy.values()]).toEqual([...eager.values()]);
    expect(() => lazy.addDeferred('late', 3000, 3000)).toThrow();
    expect(lazy.get('v7')).toEqual({ id: 'v7', n: 7 });
  });
});

describe('restore of an intact snapshot', () => {
  const START = Date.parse('2026-01-01T00:00:00Z');

  /** Keys in every state that due work looks at, aliases, tags, grants; as JSON, as a store reads it. */
  async function populated(): Promise<unknown> {
    const kms = createKms({ clock: new ManualClock(START), seed: 'deferred' });
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await kms.aws.send('CreateKey', { Description: `k${i}`, Tags: [{ TagKey: 't', TagValue: String(i) }] })).KeyMetadata.KeyId);
    await kms.aws.send('CreateAlias', { AliasName: 'alias/three', TargetKeyId: ids[3] });
    await kms.aws.send('EnableKeyRotation', { KeyId: ids[4], RotationPeriodInDays: 90 });
    await kms.aws.send('ScheduleKeyDeletion', { KeyId: ids[5], PendingWindowInDays: 7 });
    await kms.aws.send('DisableKey', { KeyId: ids[6] });
    await kms.aws.send('CreateGrant', { KeyId: ids[7], GranteePrincipal: 'arn:aws:iam::111122223333:role/app', RetiringPrincipal: 'arn:aws:iam::111122223333:role/ops', Operations: ['Encrypt'] });
    await kms.tencent.call('CreateKey', { Alias: 'tencent-one' });
    await kms.huawei.call('create-key', { key_alias: 'huawei-one' });
    return JSON.parse(JSON.stringify(kms.snapshot()));
  }

  /** What a caller sees, time passing over the due work. */
  async function answers(kms: Kms<ManualClock>): Promise<unknown[]> {
    const out: unknown[] = [];
    const page1 = await kms.aws.send('ListKeys', { Limit: 10 });
    out.push(page1, await kms.aws.send('ListKeys', { Limit: 100, Marker: page1.NextMarker }));
    out.push(await kms.aws.send('DescribeKey', { KeyId: 'alias/three' }));
    out.push(await kms.aws.send('ListAliases', {}));
    out.push(await kms.aws.send('ListRetirableGrants', { RetiringPrincipal: 'arn:aws:iam::111122223333:role/ops' }));
    out.push(await kms.tencent.call('ListKeys', {}), await kms.huawei.call('list-keys', {}));
    kms.clock.advance('100d');
    out.push(await kms.aws.send('ListKeys', { Limit: 100 }));
    out.push(kms.aws.cloudTrail().filter((r) => r.eventType === 'AwsServiceEvent'));
    out.push(kms.snapshot());
    return out;
  }

  it('answers exactly as a full restore does, and runs the same due work', async () => {
    const doc = await populated();
    const full = createKms({ clock: new ManualClock(START + 86_400_000), seed: 'deferred' });
    full.engine.restore(structuredClone(doc));
    const deferred = createKms({ clock: new ManualClock(START + 86_400_000), seed: 'deferred' });
    deferred.engine.restore(structuredClone(doc), { intact: true });
    const seen = await answers(deferred);
    expect(seen).toEqual(await answers(full));
    // The due work ran: the scheduled deletion and the automatic rotation.
    expect((seen.at(-2) as Array<{ eventName: string }>).map((r) => r.eventName).sort()).toEqual(['DeleteKey', 'RotateKey']);
  });
});
