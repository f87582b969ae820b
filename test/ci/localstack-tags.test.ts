/**
 * LocalStack's `_custom_id_` and `_custom_key_material_` tags on AWS CreateKey: the key gets that id
 * and that material, and the two tags are not kept as tags.
 */
import { createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto';
import {
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetPublicKeyCommand,
  KMSClient,
  ListKeysCommand,
  ListResourceTagsCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { createKms } from '../../src/index.js';
import { rejection } from '../support/kms.js';

const ID = 'bffb20d8-35ca-4408-9d54-f775b929b38d';
const MATERIAL = 'f5KQzETF/SuV/iHWrW/l+pwXfhzW87TJapexPgnqoVg=';
const tag = (TagKey: string, TagValue: string) => ({ TagKey, TagValue });

function client() {
  const kms = createKms();
  return { kms, client: new KMSClient({ ...kms.aws.clientConfig() }) };
}

describe("LocalStack's custom key tags on CreateKey", () => {
  it('_custom_id_ and _custom_key_material_: that id, that material, and no such tags kept', async () => {
    const a = client();
    const { KeyMetadata } = await a.client.send(new CreateKeyCommand({ Tags: [tag('_custom_id_', ID), tag('_custom_key_material_', MATERIAL), tag('team', 'x')] }));
    expect(KeyMetadata!.KeyId).toBe(ID);
    expect((await a.client.send(new ListResourceTagsCommand({ KeyId: ID }))).Tags).toEqual([tag('team', 'x')]);
    const { CiphertextBlob } = await a.client.send(new EncryptCommand({ KeyId: ID, Plaintext: Buffer.from('same key everywhere') }));
    // Another emulator, the same two tags: the ciphertext decrypts there.
    const b = client();
    await b.client.send(new CreateKeyCommand({ Tags: [tag('_custom_key_material_', MATERIAL), tag('_custom_id_', ID)] }));
    expect(Buffer.from((await b.client.send(new DecryptCommand({ CiphertextBlob }))).Plaintext!).toString()).toBe('same key everywhere');
    // CloudTrail records neither tag (one holds key material), not even for a refused request.
    await rejection(() => a.client.send(new CreateKeyCommand({ Tags: [tag('_custom_key_material_', MATERIAL), tag('_custom_id_', 'bad')] })));
    const trail = a.kms.aws.cloudTrail().filter((r) => r.eventName === 'CreateKey');
    expect(trail.map((r) => (r.requestParameters as { tags: unknown }).tags)).toEqual([[tag('team', 'x')], []]);
    expect(JSON.stringify(a.kms.aws.cloudTrail())).not.toContain(MATERIAL);
  });

  it('HMAC material and an asymmetric PKCS#8 private key', async () => {
    const { client: c } = client();
    const mac = Buffer.alloc(48, 3);
    const hmacKey = await c.send(new CreateKeyCommand({ KeySpec: 'HMAC_384', KeyUsage: 'GENERATE_VERIFY_MAC', Tags: [tag('_custom_key_material_', mac.toString('base64'))] }));
    const { Mac } = await c.send(new GenerateMacCommand({ KeyId: hmacKey.KeyMetadata!.KeyId, MacAlgorithm: 'HMAC_SHA_384', Message: Buffer.from('m') }));
    expect(Buffer.from(Mac!).equals(createHmac('sha384', mac).update('m').digest())).toBe(true);

    const pair = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    const pkcs8 = pair.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    const signing = await c.send(new CreateKeyCommand({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY', Tags: [tag('_custom_key_material_', pkcs8)] }));
    const { PublicKey } = await c.send(new GetPublicKeyCommand({ KeyId: signing.KeyMetadata!.KeyId }));
    expect(Buffer.from(PublicKey!).equals(createPublicKey(pair.privateKey).export({ format: 'der', type: 'spki' }))).toBe(true);
  });

  it('a bad id, bad material or a taken id is refused and creates nothing', async () => {
    const { client: c } = client();
    await c.send(new CreateKeyCommand({ Tags: [tag('_custom_id_', ID)] }));
    const cases: Array<[Array<{ TagKey: string; TagValue: string }>, string, RegExp]> = [
      [[tag('_custom_id_', 'my-key')], 'ValidationException', /_custom_id_ tag must be a key id/],
      [[tag('_custom_key_material_', '***')], 'ValidationException', /_custom_key_material_ tag must be base64/],
      [[tag('_custom_key_material_', Buffer.alloc(16).toString('base64'))], 'ValidationException', /does not fit key spec/],
      [[tag('_custom_id_', ID)], 'AlreadyExistsException', /./],
    ];
    for (const [tags, name, message] of cases) {
      const error = await rejection(() => c.send(new CreateKeyCommand({ Tags: tags })));
      expect(error.name, JSON.stringify(tags)).toBe(name);
      expect(error.message).toMatch(message);
    }
    expect((await c.send(new ListKeysCommand({}))).Keys).toHaveLength(1);
  });
});
