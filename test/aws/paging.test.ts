import {
  CreateAliasCommand,
  DeleteAliasCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeyPoliciesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { createKey, createKeys, PREDEFINED_ALIASES, refused } from '../support/aws.js';
import { setup } from '../support/kms.js';

interface Page<T> {
  items: T[];
  NextMarker?: string | undefined;
  Truncated?: boolean | undefined;
}

/**
 * Follows NextMarker to the end, checking on every page that Truncated is true exactly when a
 * NextMarker is given and that no page is longer than `limit`. Returns the pages' sizes and items.
 */
async function pageThrough<T>(limit: number, fetch: (marker: string | undefined) => Promise<Page<T>>) {
  const sizes: number[] = [];
  const items: T[] = [];
  let marker: string | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const page = await fetch(marker);
    expect(page.Truncated).toBe(page.NextMarker !== undefined);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    sizes.push(page.items.length);
    items.push(...page.items);
    if (!page.NextMarker) return { sizes, items };
    marker = page.NextMarker;
  }
  throw new Error('paging did not end');
}

const listKeys = (client: KMSClient, Limit: number) => (Marker: string | undefined) =>
  client.send(new ListKeysCommand({ Limit, Marker })).then((p) => ({ ...p, items: p.Keys!.map((k) => k.KeyId!) }));

const listAliases = (client: KMSClient, Limit: number, KeyId?: string) => (Marker: string | undefined) =>
  client.send(new ListAliasesCommand({ Limit, Marker, KeyId })).then((p) => ({ ...p, items: p.Aliases!.map((a) => a.AliasName!) }));

const listTags = (client: KMSClient, KeyId: string, Limit: number) => (Marker: string | undefined) =>
  client.send(new ListResourceTagsCommand({ KeyId, Limit, Marker })).then((p) => ({ ...p, items: p.Tags!.map((t) => t.TagKey!) }));

async function firstMarker(fetch: (marker: string | undefined) => Promise<Page<unknown>>) {
  const page = await fetch(undefined);
  expect(page.NextMarker).toBeDefined();
  return page.NextMarker!;
}

describe('ListKeys paging', () => {
  it('pages through 25 keys with Limit 7 in pages of 7, 7, 7 and 4, returning each key exactly once', async () => {
    const { client } = setup();
    const ids = await createKeys(client, 25);
    const { sizes, items } = await pageThrough(7, listKeys(client, 7));
    expect(sizes).toEqual([7, 7, 7, 4]);
    expect(items).toEqual(ids);
  });

  it('ends without an empty page when the keys fill the last page exactly', async () => {
    const { client } = setup();
    const ids = await createKeys(client, 14);
    const { sizes, items } = await pageThrough(7, listKeys(client, 7));
    expect(sizes).toEqual([7, 7]);
    expect(items).toEqual(ids);
  });

  it('pages one key at a time with Limit 1', async () => {
    const { client } = setup();
    const ids = await createKeys(client, 3);
    const { sizes, items } = await pageThrough(1, listKeys(client, 1));
    expect(sizes).toEqual([1, 1, 1]);
    expect(items).toEqual(ids);
  });

  it('returns at most 100 keys per page when no Limit is given', async () => {
    const { client } = setup();
    const ids = await createKeys(client, 101);
    const first = await client.send(new ListKeysCommand({}));
    expect(first.Keys).toHaveLength(100);
    expect(first.Truncated).toBe(true);
    const second = await client.send(new ListKeysCommand({ Marker: first.NextMarker }));
    expect(second.Keys!.map((k) => k.KeyId)).toEqual([ids[100]]);
    expect(second.Truncated).toBe(false);
  });

  it('accepts Limit 1000, the largest allowed', async () => {
    const { client } = setup();
    const ids = await createKeys(client, 3);
    const page = await client.send(new ListKeysCommand({ Limit: 1000 }));
    expect(page.Keys!.map((k) => k.KeyId)).toEqual(ids);
    expect(page.Truncated).toBe(false);
  });

  it('refuses Limit 0 with ValidationException', async () => {
    const { client, kms } = setup();
    await createKeys(client, 2);
    const err = await refused(kms, () => client.send(new ListKeysCommand({ Limit: 0 })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toBe("1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
  });

  it('refuses Limit 1001 with ValidationException', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new ListKeysCommand({ Limit: 1001 })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toBe("1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000");
  });

  it('refuses an empty Marker with ValidationException', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new ListKeysCommand({ Marker: '' })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toMatch(/at 'marker' failed to satisfy constraint: Member must have length greater than or equal to 1/);
  });

  it.each(['bogus', '7', '3.000000000000000000000000', 'eyJvZmZzZXQiOjd9'])('refuses the made-up marker %j with InvalidMarkerException', async (marker) => {
    const { client, kms } = setup();
    await createKeys(client, 10);
    const err = await refused(kms, () => client.send(new ListKeysCommand({ Limit: 3, Marker: marker })));
    expect(err.name).toBe('InvalidMarkerException');
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });

  it('refuses a made-up marker even in a region that has no keys', async () => {
    const { kms } = setup();
    const empty = new KMSClient({ ...kms.aws.clientConfig({ region: 'sa-east-1' }) });
    const err = await refused(kms, () => empty.send(new ListKeysCommand({ Marker: 'bogus' })));
    expect(err.name).toBe('InvalidMarkerException');
  });

  it('refuses a marker whose characters were altered with InvalidMarkerException', async () => {
    const { client, kms } = setup();
    await createKeys(client, 10);
    const marker = await firstMarker(listKeys(client, 3));
    const flip = (c: string) => (c === '0' ? '1' : '0');
    for (const altered of [flip(marker[0]!) + marker.slice(1), marker.slice(0, -1) + flip(marker.at(-1)!)]) {
      const err = await refused(kms, () => client.send(new ListKeysCommand({ Limit: 3, Marker: altered })));
      expect(err.name).toBe('InvalidMarkerException');
    }
  });

  it('refuses a marker issued by ListAliases with InvalidMarkerException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    await createKeys(client, 5);
    for (let i = 0; i < 5; i++) await client.send(new CreateAliasCommand({ AliasName: `alias/a${i}`, TargetKeyId: key.KeyId }));
    const marker = await firstMarker(listAliases(client, 2));
    const err = await refused(kms, () => client.send(new ListKeysCommand({ Limit: 2, Marker: marker })));
    expect(err.name).toBe('InvalidMarkerException');
  });

  it('refuses a marker issued in another region with InvalidMarkerException', async () => {
    const { client, kms } = setup();
    const west = new KMSClient({ ...kms.aws.clientConfig({ region: 'us-west-2' }) });
    await createKeys(client, 5);
    await createKeys(west, 5);
    const marker = await firstMarker(listKeys(client, 2));
    const err = await refused(kms, () => west.send(new ListKeysCommand({ Limit: 2, Marker: marker })));
    expect(err.name).toBe('InvalidMarkerException');
  });

  it('refuses a marker issued by another emulator with InvalidMarkerException', async () => {
    const first = setup();
    const second = setup();
    await createKeys(first.client, 5);
    await createKeys(second.client, 5);
    const marker = await firstMarker(listKeys(first.client, 2));
    const err = await refused(second.kms, () => second.client.send(new ListKeysCommand({ Limit: 2, Marker: marker })));
    expect(err.name).toBe('InvalidMarkerException');
  });

  it('answers the same page for the same marker twice', async () => {
    const { client } = setup();
    await createKeys(client, 10);
    const marker = await firstMarker(listKeys(client, 4));
    const once = await client.send(new ListKeysCommand({ Limit: 4, Marker: marker }));
    const twice = await client.send(new ListKeysCommand({ Limit: 4, Marker: marker }));
    expect(twice.Keys).toEqual(once.Keys);
    expect(twice.NextMarker).toBe(once.NextMarker);
  });

  it('a marker may continue with a different Limit', async () => {
    const { client } = setup();
    const ids = await createKeys(client, 10);
    const first = await client.send(new ListKeysCommand({ Limit: 3 }));
    const rest = await client.send(new ListKeysCommand({ Limit: 100, Marker: first.NextMarker }));
    expect([...first.Keys!, ...rest.Keys!].map((k) => k.KeyId)).toEqual(ids);
  });

  it('keys created while paging appear on a later page; none is returned twice', async () => {
    const { client } = setup();
    const ids = await createKeys(client, 10);
    const first = await client.send(new ListKeysCommand({ Limit: 4 }));
    const added = await createKeys(client, 3);
    const { items } = await pageThrough(4, async (marker) => {
      const p = await client.send(new ListKeysCommand({ Limit: 4, Marker: marker ?? first.NextMarker }));
      return { ...p, items: p.Keys!.map((k) => k.KeyId!) };
    });
    expect([...first.Keys!.map((k) => k.KeyId), ...items]).toEqual([...ids, ...added]);
  });

  it('a key deleted while paging, even the next one due, is skipped and the others are each returned once', async () => {
    const { client, kms } = setup();
    const ids = await createKeys(client, 10);
    const first = await client.send(new ListKeysCommand({ Limit: 4 }));
    // the key the marker points at, and one further on
    for (const id of [ids[4]!, ids[7]!]) await client.send(new ScheduleKeyDeletionCommand({ KeyId: id, PendingWindowInDays: 7 }));
    kms.clock.advance('7d');
    const rest = await client.send(new ListKeysCommand({ Limit: 100, Marker: first.NextMarker }));
    expect(rest.Keys!.map((k) => k.KeyId)).toEqual([ids[5], ids[6], ids[8], ids[9]]);
    expect(rest.Truncated).toBe(false);
  });
});

describe('ListAliases paging', () => {
  it('pages through 25 aliases with Limit 7, returning each alias exactly once', async () => {
    const { client } = setup();
    const [a, b] = [await createKey(client), await createKey(client)];
    const names: string[] = [];
    for (let i = 0; i < 25; i++) {
      const name = `alias/n${String(i).padStart(2, '0')}`;
      names.push(name);
      await client.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: (i % 2 ? a : b).KeyId }));
    }
    // The 16 predefined aliases of AWS managed keys come first.
    const { sizes, items } = await pageThrough(7, listAliases(client, 7));
    expect(sizes).toEqual([7, 7, 7, 7, 7, 6]);
    expect(items).toEqual([...PREDEFINED_ALIASES, ...names]);
  });

  it('with KeyId pages through only that key’s aliases, each exactly once', async () => {
    const { client } = setup();
    const [a, b] = [await createKey(client), await createKey(client)];
    const ofA: string[] = [];
    for (let i = 0; i < 20; i++) {
      const name = `alias/x${i}`;
      const target = i % 2 ? a : b;
      if (target === a) ofA.push(name);
      await client.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: target.KeyId }));
    }
    const { sizes, items } = await pageThrough(3, listAliases(client, 3, a.KeyId));
    expect(sizes).toEqual([3, 3, 3, 1]);
    expect(items).toEqual(ofA);
  });

  it('returns at most 50 aliases per page when no Limit is given', async () => {
    const { client } = setup();
    const key = await createKey(client);
    // 16 predefined aliases and 35 of the account: 51.
    for (let i = 0; i < 35; i++) await client.send(new CreateAliasCommand({ AliasName: `alias/d${i}`, TargetKeyId: key.KeyId }));
    const first = await client.send(new ListAliasesCommand({}));
    expect(first.Aliases).toHaveLength(50);
    expect(first.Truncated).toBe(true);
    const second = await client.send(new ListAliasesCommand({ Marker: first.NextMarker }));
    expect(second.Aliases!.map((a) => a.AliasName)).toEqual(['alias/d34']);
    expect(second.Truncated).toBe(false);
  });

  it('an alias deleted while paging is skipped and the others are each returned once', async () => {
    const { client } = setup();
    const key = await createKey(client);
    for (let i = 0; i < 6; i++) await client.send(new CreateAliasCommand({ AliasName: `alias/p${i}`, TargetKeyId: key.KeyId }));
    const first = await client.send(new ListAliasesCommand({ Limit: PREDEFINED_ALIASES.length + 2 }));
    await client.send(new DeleteAliasCommand({ AliasName: 'alias/p2' }));
    const rest = await client.send(new ListAliasesCommand({ Limit: 10, Marker: first.NextMarker }));
    expect([...first.Aliases!, ...rest.Aliases!].map((a) => a.AliasName)).toEqual([...PREDEFINED_ALIASES, 'alias/p0', 'alias/p1', 'alias/p3', 'alias/p4', 'alias/p5']);
  });

  it.each([0, 1001])('refuses Limit %i with ValidationException', async (limit) => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new ListAliasesCommand({ Limit: limit })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toMatch(new RegExp(`^1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint`));
  });

  it('refuses a made-up marker with InvalidMarkerException', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new ListAliasesCommand({ Marker: 'not-a-marker' })));
    expect(err.name).toBe('InvalidMarkerException');
  });

  it('refuses a marker of the unfiltered list when listing one key’s aliases, and one key’s marker for another key', async () => {
    const { client, kms } = setup();
    const [a, b] = [await createKey(client), await createKey(client)];
    for (let i = 0; i < 4; i++) {
      await client.send(new CreateAliasCommand({ AliasName: `alias/a${i}`, TargetKeyId: a.KeyId }));
      await client.send(new CreateAliasCommand({ AliasName: `alias/b${i}`, TargetKeyId: b.KeyId }));
    }
    const unfiltered = await firstMarker(listAliases(client, 2));
    const ofA = await firstMarker(listAliases(client, 2, a.KeyId));
    for (const [marker, keyId] of [
      [unfiltered, a.KeyId],
      [ofA, b.KeyId],
      [ofA, undefined],
    ] as const) {
      const err = await refused(kms, () => client.send(new ListAliasesCommand({ Limit: 2, Marker: marker, KeyId: keyId })));
      expect(err.name).toBe('InvalidMarkerException');
    }
  });

  it('refuses a marker issued by ListKeys with InvalidMarkerException', async () => {
    const { client, kms } = setup();
    await createKeys(client, 5);
    const marker = await firstMarker(listKeys(client, 2));
    const err = await refused(kms, () => client.send(new ListAliasesCommand({ Marker: marker })));
    expect(err.name).toBe('InvalidMarkerException');
  });
});

describe('ListResourceTags paging', () => {
  it('pages through 50 tags with Limit 20 in pages of 20, 20 and 10, returning each tag exactly once', async () => {
    const { client } = setup();
    const tags = Array.from({ length: 50 }, (_, i) => ({ TagKey: `t${i}`, TagValue: `${i}` }));
    const key = await createKey(client, { Tags: tags });
    const { sizes, items } = await pageThrough(20, listTags(client, key.KeyId!, 20));
    expect(sizes).toEqual([20, 20, 10]);
    expect(items).toEqual(tags.map((t) => t.TagKey));
  });

  it('refuses a marker issued for another key with InvalidMarkerException', async () => {
    const { client, kms } = setup();
    const tags = Array.from({ length: 5 }, (_, i) => ({ TagKey: `t${i}`, TagValue: '' }));
    const a = await createKey(client, { Tags: tags });
    const b = await createKey(client, { Tags: tags });
    const marker = await firstMarker(listTags(client, a.KeyId!, 2));
    const err = await refused(kms, () => client.send(new ListResourceTagsCommand({ KeyId: b.KeyId, Limit: 2, Marker: marker })));
    expect(err.name).toBe('InvalidMarkerException');
  });

  it('refuses a marker issued by ListKeys with InvalidMarkerException', async () => {
    const { client, kms } = setup();
    const [id] = await createKeys(client, 5);
    const marker = await firstMarker(listKeys(client, 2));
    const err = await refused(kms, () => client.send(new ListResourceTagsCommand({ KeyId: id, Marker: marker })));
    expect(err.name).toBe('InvalidMarkerException');
  });

  it.each([0, 1001])('refuses Limit %i with ValidationException', async (limit) => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const err = await refused(kms, () => client.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: limit })));
    expect(err.name).toBe('ValidationException');
  });
});

describe('ListKeyPolicies paging', () => {
  it('returns the single policy name with Limit 1, not truncated', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const page = await client.send(new ListKeyPoliciesCommand({ KeyId: key.KeyId, Limit: 1 }));
    expect(page.PolicyNames).toEqual(['default']);
    expect(page.Truncated).toBe(false);
    expect(page.NextMarker).toBeUndefined();
  });

  it.each([0, 1001])('refuses Limit %i with ValidationException', async (limit) => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const err = await refused(kms, () => client.send(new ListKeyPoliciesCommand({ KeyId: key.KeyId, Limit: limit })));
    expect(err.name).toBe('ValidationException');
  });

  it('refuses a marker it did not issue with InvalidMarkerException', async () => {
    const { client, kms } = setup();
    await createKeys(client, 5);
    const key = await createKey(client);
    const fromListKeys = await firstMarker(listKeys(client, 2));
    for (const marker of ['1', fromListKeys]) {
      const err = await refused(kms, () => client.send(new ListKeyPoliciesCommand({ KeyId: key.KeyId, Marker: marker })));
      expect(err.name).toBe('InvalidMarkerException');
    }
  });
});
