import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateRandomCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { KmsError, type Kms, type ManualClock } from '../../src/index.js';
import { b64, rejection, setup, START, str, text } from '../support/kms.js';

/** The same sequence of calls; returns every id and byte string the emulator produced. */
async function scenario(kms: Kms<ManualClock>, client: KMSClient) {
  const out: Record<string, unknown> = {};
  const a = (await client.send(new CreateKeyCommand({ Description: 'a' }))).KeyMetadata!;
  const b = (await client.send(new CreateKeyCommand({ Description: 'b' }))).KeyMetadata!;
  out.keyIds = [a.KeyId, b.KeyId];
  out.arns = [a.Arn, b.Arn];
  out.materials = [a.CurrentKeyMaterialId, b.CurrentKeyMaterialId];
  await client.send(new CreateAliasCommand({ AliasName: 'alias/a', TargetKeyId: a.KeyId }));
  const enc = await client.send(new EncryptCommand({ KeyId: 'alias/a', Plaintext: text('same input'), EncryptionContext: { k: 'v' } }));
  out.ciphertext = b64(enc.CiphertextBlob);
  const dk = await client.send(new GenerateDataKeyCommand({ KeyId: a.KeyId, KeySpec: 'AES_256' }));
  out.dataKey = [b64(dk.Plaintext), b64(dk.CiphertextBlob)];
  const dkw = await client.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: b.KeyId, NumberOfBytes: 20 }));
  out.dataKeyWithout = b64(dkw.CiphertextBlob);
  kms.clock.advance('1h');
  await client.send(new RotateKeyOnDemandCommand({ KeyId: a.KeyId }));
  out.rotated = (await client.send(new DescribeKeyCommand({ KeyId: a.KeyId }))).KeyMetadata!.CurrentKeyMaterialId;
  const after = await client.send(new EncryptCommand({ KeyId: a.KeyId, Plaintext: text('same input') }));
  out.after = b64(after.CiphertextBlob);
  const re = await client.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: { k: 'v' }, DestinationKeyId: b.KeyId }));
  out.reEncrypted = b64(re.CiphertextBlob);
  out.random = b64((await client.send(new GenerateRandomCommand({ NumberOfBytes: 64 }))).Plaintext);
  out.requestId = (await client.send(new ListKeysCommand({ Limit: 1 }))).$metadata.requestId;
  out.marker = (await client.send(new ListKeysCommand({ Limit: 1 }))).NextMarker;
  out.trail = kms.aws.cloudTrail();
  return out;
}

describe('determinism', () => {
  it('same seed and same calls give byte-identical ids, key material ids, ciphertexts, data keys and records', async () => {
    const one = setup({ seed: 'x' });
    const two = setup({ seed: 'x' });
    const r1 = await scenario(one.kms, one.client);
    const r2 = await scenario(two.kms, two.client);
    expect(r2).toEqual(r1);
    expect(JSON.stringify(r2)).toBe(JSON.stringify(r1));
    expect(JSON.stringify(two.kms.snapshot())).toBe(JSON.stringify(one.kms.snapshot()));
    // Sanity: the scenario did produce material.
    expect((r1.keyIds as string[])[0]).not.toBe((r1.keyIds as string[])[1]);
    expect(r1.rotated).not.toBe((r1.materials as string[])[0]);
  });

  it('a different seed gives different ids, material and ciphertexts', async () => {
    const x = setup({ seed: 'x' });
    const y = setup({ seed: 'y' });
    const rx = await scenario(x.kms, x.client);
    const ry = await scenario(y.kms, y.client);
    for (const field of ['keyIds', 'materials', 'ciphertext', 'dataKey', 'dataKeyWithout', 'rotated', 'after', 'reEncrypted', 'random', 'requestId']) {
      expect(ry[field], field).not.toEqual(rx[field]);
    }
    // And each decrypts only in its own emulator.
    const err = await rejection(() => y.client.send(new DecryptCommand({ CiphertextBlob: Buffer.from(rx.ciphertext as string, 'base64'), EncryptionContext: { k: 'v' } })));
    expect(err.name).toBe('AccessDeniedException');
  });

  it('without a seed, two emulators differ', async () => {
    const p = setup();
    const q = setup();
    const kp = (await p.client.send(new CreateKeyCommand({}))).KeyMetadata!;
    const kq = (await q.client.send(new CreateKeyCommand({}))).KeyMetadata!;
    expect(kp.KeyId).not.toBe(kq.KeyId);
    expect(kp.CurrentKeyMaterialId).not.toBe(kq.CurrentKeyMaterialId);
  });
});

describe('snapshot and restore', () => {
  /** Builds a state with everything a snapshot must carry, then snapshots it through JSON. */
  async function populated() {
    const { kms, client } = setup({ seed: 'snap' });
    const main = (await client.send(new CreateKeyCommand({ Description: 'main', Tags: [{ TagKey: 'team', TagValue: 'payments' }] }))).KeyMetadata!;
    const doomed = (await client.send(new CreateKeyCommand({ Description: 'doomed' }))).KeyMetadata!;
    const external = (await client.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!;
    await client.send(new CreateAliasCommand({ AliasName: 'alias/main', TargetKeyId: main.KeyId }));
    await client.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: doomed.KeyId }));
    await client.send(new TagResourceCommand({ KeyId: main.KeyId, Tags: [{ TagKey: 'env', TagValue: 'prod' }] }));
    const before = await client.send(new EncryptCommand({ KeyId: 'alias/main', Plaintext: text('before rotation'), EncryptionContext: { c: '1' } }));
    const dk = await client.send(new GenerateDataKeyCommand({ KeyId: main.KeyId, NumberOfBytes: 32 }));
    await client.send(new EnableKeyRotationCommand({ KeyId: main.KeyId, RotationPeriodInDays: 90 }));
    kms.clock.advance('2d');
    await client.send(new RotateKeyOnDemandCommand({ KeyId: main.KeyId }));
    const after = await client.send(new EncryptCommand({ KeyId: main.KeyId, Plaintext: text('after rotation') }));
    const doomedCt = await client.send(new EncryptCommand({ KeyId: doomed.KeyId, Plaintext: text('doomed') }));
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }));
    kms.clock.advance('1d');
    const snapshot = JSON.parse(JSON.stringify(kms.snapshot()));
    return { kms, client, main, doomed, external, before, dk, after, doomedCt, snapshot };
  }

  it('a restored emulator decrypts old ciphertexts and keeps aliases, tags, rotation settings, deletions and CloudTrail', async () => {
    const src = await populated();
    const trailAtSnapshot = src.kms.aws.cloudTrail();
    const { kms, client } = setup({ seed: 'snap', start: src.kms.clock.now() });
    kms.restore(src.snapshot);

    // CloudTrail is intact, record for record.
    expect(kms.aws.cloudTrail()).toEqual(trailAtSnapshot);

    // Ciphertexts made before the snapshot decrypt, with their own key material.
    const d1 = await client.send(new DecryptCommand({ CiphertextBlob: src.before.CiphertextBlob, EncryptionContext: { c: '1' } }));
    expect(str(d1.Plaintext)).toBe('before rotation');
    expect(d1.KeyMaterialId).toBe(src.main.CurrentKeyMaterialId);
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob: src.after.CiphertextBlob }))).Plaintext)).toBe('after rotation');
    const d3 = await client.send(new DecryptCommand({ CiphertextBlob: src.dk.CiphertextBlob }));
    expect(b64(d3.Plaintext)).toBe(b64(src.dk.Plaintext));

    // Keys, aliases and tags.
    expect((await client.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId)).toEqual([src.main.KeyId, src.doomed.KeyId, src.external.KeyId]);
    const aliases = (await client.send(new ListAliasesCommand({}))).Aliases!.filter((a) => a.TargetKeyId !== undefined).map((a) => [a.AliasName, a.TargetKeyId]);
    expect(aliases).toEqual([
      ['alias/main', src.main.KeyId],
      ['alias/doomed', src.doomed.KeyId],
    ]);
    expect((await client.send(new ListResourceTagsCommand({ KeyId: src.main.KeyId }))).Tags).toEqual([
      { TagKey: 'team', TagValue: 'payments' },
      { TagKey: 'env', TagValue: 'prod' },
    ]);
    const ext = (await client.send(new DescribeKeyCommand({ KeyId: src.external.KeyId }))).KeyMetadata!;
    expect(ext.KeyState).toBe('PendingImport');
    expect(ext.Origin).toBe('EXTERNAL');

    // Rotation settings and history.
    const status = await client.send(new GetKeyRotationStatusCommand({ KeyId: src.main.KeyId }));
    expect(status.KeyRotationEnabled).toBe(true);
    expect(status.RotationPeriodInDays).toBe(90);
    expect(status.NextRotationDate).toEqual(new Date(Date.parse(START) + 90 * 86_400_000));
    const rotations = (await client.send(new ListKeyRotationsCommand({ KeyId: src.main.KeyId }))).Rotations!;
    expect(rotations.map((r) => r.RotationType)).toEqual(['ON_DEMAND']);

    // The scheduled deletion is still scheduled, and happens at its date after restore.
    const doomed = (await client.send(new DescribeKeyCommand({ KeyId: src.doomed.KeyId }))).KeyMetadata!;
    expect(doomed.KeyState).toBe('PendingDeletion');
    expect(doomed.DeletionDate).toEqual(new Date(Date.parse(START) + 9 * 86_400_000));
    kms.clock.advance('6d');
    const gone = await rejection(() => client.send(new DescribeKeyCommand({ KeyId: src.doomed.KeyId })));
    expect(gone.name).toBe('NotFoundException');
    expect(gone.message).toBe(`Key '${src.doomed.Arn}' does not exist`);
    expect((await rejection(() => client.send(new DecryptCommand({ CiphertextBlob: src.doomedCt.CiphertextBlob })))).name).toBe('AccessDeniedException');
    expect((await client.send(new ListAliasesCommand({}))).Aliases!.filter((a) => a.TargetKeyId !== undefined).map((a) => a.AliasName)).toEqual(['alias/main']);
    expect(kms.aws.cloudTrail((r) => r.eventName === 'DeleteKey').map((r) => r.eventTime)).toEqual(['2026-01-10T00:00:00Z']);

    // The automatic rotation comes at its date too.
    kms.clock.advance('90d');
    expect(kms.aws.cloudTrail((r) => r.eventName === 'RotateKey').map((r) => r.serviceEventDetails!.rotationType)).toEqual(['ON_DEMAND', 'AUTOMATIC']);
  });

  it('a restored emulator with the same seed continues exactly where the original left off', async () => {
    const src = await populated();
    const { kms, client } = setup({ seed: 'snap', start: src.kms.clock.now() });
    kms.restore(JSON.stringify(src.snapshot)); // JSON text is accepted too
    for (const c of [src.client, client]) void c;
    const next = async (k: KMSClient) => {
      const enc = await k.send(new EncryptCommand({ KeyId: src.main.KeyId, Plaintext: text('next') }));
      const key = (await k.send(new CreateKeyCommand({}))).KeyMetadata!;
      const marker = (await k.send(new ListKeysCommand({ Limit: 1 }))).NextMarker;
      return [b64(enc.CiphertextBlob), key.KeyId, key.CurrentKeyMaterialId, marker];
    };
    const original = await next(src.client);
    const restored = await next(client);
    expect(restored).toEqual(original);
    // A marker from the original works on the restored emulator.
    const page = await client.send(new ListKeysCommand({ Limit: 1, Marker: original[3] as string }));
    expect(page.Keys![0]!.KeyId).toBe(src.doomed.KeyId);
  });

  it('restore replaces the whole state', async () => {
    const src = await populated();
    // Another seed: with the same one, the stray key would get the id of the snapshot's first key.
    const { kms, client } = setup({ seed: 'other', start: src.kms.clock.now() });
    const stray = (await client.send(new CreateKeyCommand({ Description: 'stray' }))).KeyMetadata!;
    kms.restore(src.snapshot);
    expect((await rejection(() => client.send(new DescribeKeyCommand({ KeyId: stray.KeyId })))).name).toBe('NotFoundException');
    expect(kms.aws.cloudTrail().some((r) => r.resources.some((x) => x.ARN === stray.Arn))).toBe(false);
  });

  it('a malformed snapshot is refused with a clear error and changes nothing', async () => {
    const src = await populated();
    const { kms, client } = setup({ seed: 'snap', start: src.kms.clock.now() });
    kms.restore(src.snapshot);
    const mine = (await client.send(new CreateKeyCommand({ Description: 'after restore' }))).KeyMetadata!;
    const ct = await client.send(new EncryptCommand({ KeyId: mine.KeyId, Plaintext: text('still here') }));
    const stateBefore = JSON.stringify(kms.snapshot());
    const trailBefore = kms.aws.cloudTrail();

    const good = src.snapshot;
    const clone = () => JSON.parse(JSON.stringify(good));
    const keyOf = (doc: any, i = 0) => doc.realms[0].keys[i];
    const bad: Array<[string, unknown]> = [
      ['not JSON', '{"format": '],
      ['null', null],
      ['a number', 42],
      ['an empty object', {}],
      ['wrong format', { ...clone(), format: 'something-else' }],
      ['future version', { ...clone(), version: 99 }],
      ['key without materials', (() => { const d = clone(); delete keyOf(d).materials; return d; })()],
      ['unknown key state', (() => { const d = clone(); keyOf(d).state = 'Exploded'; return d; })()],
      ['material id not hex', (() => { const d = clone(); keyOf(d).materials[0].id = 'xyz'; return d; })()],
      ['secret not base64', (() => { const d = clone(); keyOf(d).materials[0].secret = '@@@'; return d; })()],
      ['current material missing', (() => { const d = clone(); keyOf(d).currentMaterialId = 'f'.repeat(64); return d; })()],
      ['alias to a missing key', (() => { const d = clone(); d.realms[0].aliases[0].keyId = '00000000-0000-4000-8000-000000000000'; return d; })()],
      ['duplicate key id', (() => { const d = clone(); const k = { ...keyOf(d), seq: 999 }; d.realms[0].keys.push(k); return d; })()],
      ['duplicate key sequence', (() => { const d = clone(); keyOf(d, 1).seq = keyOf(d, 0).seq; return d; })()],
      ['duplicate alias name', (() => { const d = clone(); d.realms[0].aliases.push({ ...d.realms[0].aliases[0], seq: 998 }); return d; })()],
      ['sequence counter behind its keys', (() => { const d = clone(); d.seq = 1; return d; })()],
      ['key material of the wrong size', (() => { const d = clone(); keyOf(d).materials[0].secret = Buffer.alloc(5).toString('base64'); return d; })()],
      ['audit event without time', (() => { const d = clone(); delete d.audit[0].time; return d; })()],
      ['policy index past the policy texts', (() => { const d = clone(); keyOf(d).policies[0][1] = d.policyTexts.length; return d; })()],
      ['policy index that is not an integer', (() => { const d = clone(); keyOf(d).policies[0][1] = 0.5; return d; })()],
    ];
    for (const [label, doc] of bad) {
      let thrown: unknown;
      try {
        kms.restore(doc);
      } catch (e) {
        thrown = e;
      }
      expect(thrown, label).toBeInstanceOf(KmsError);
      expect((thrown as KmsError).code, label).toBe('Validation');
      expect((thrown as KmsError).message, label).toMatch(/snapshot/i);
      expect(JSON.stringify(kms.snapshot()), label).toBe(stateBefore);
    }
    expect(kms.aws.cloudTrail()).toEqual(trailBefore);
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob: ct.CiphertextBlob }))).Plaintext)).toBe('still here');
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob: src.before.CiphertextBlob, EncryptionContext: { c: '1' } }))).Plaintext)).toBe('before rotation');
  });

  it('a version 1 snapshot (policy texts inline in every key) still restores', async () => {
    const src = await populated();
    const v1 = JSON.parse(JSON.stringify(src.snapshot));
    v1.version = 1;
    for (const realm of v1.realms) for (const key of realm.keys) key.policies = key.policies.map(([name, i]: [string, number]) => [name, v1.policyTexts[i]]);
    delete v1.policyTexts;
    const { kms } = setup({ seed: 'snap', start: src.kms.clock.now() });
    kms.restore(v1);
    expect(kms.snapshot()).toEqual({ ...src.snapshot, takenAt: kms.clock.now() });
  });

  it('a snapshot is plain JSON: it survives a JSON round trip unchanged', async () => {
    const src = await populated();
    const snap = src.kms.snapshot();
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(snap.format).toBe('kms-emulator/snapshot');
    expect(snap.version).toBe(3);
    // One default policy text for every key of the account, named by index.
    expect(snap.policyTexts).toHaveLength(1);
    expect(snap.realms.flatMap((r) => r.keys.flatMap((k) => k.policies.map(([, text]) => text)))).toSatisfy((all: unknown[]) => all.length > 1 && all.every((t) => t === 0));
  });
});
