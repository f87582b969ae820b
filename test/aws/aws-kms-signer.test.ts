/**
 * A real KMS client from npm: aws-kms-signer signs Ethereum digests with an ECC_SECG_P256K1 key
 * through @aws-sdk/client-kms (GetPublicKey, then Sign with MessageType DIGEST). Run against the
 * emulator in process, its signatures must recover to the address of the key's public key.
 */
import { GetPublicKeyCommand } from '@aws-sdk/client-kms';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { KmsSigner } from 'aws-kms-signer';
import { describe, expect, it } from 'vitest';
import { ecPoint } from '../support/asymmetric.js';
import { createKey } from '../support/aws.js';
import { setup, text } from '../support/kms.js';

/** The Ethereum address (lowercase hex, no checksum) of an uncompressed secp256k1 point. */
function addressOf(point: Uint8Array): string {
  return Buffer.from(keccak_256(point.subarray(1)).subarray(12)).toString('hex');
}

/** An address as lowercase hex without 0x (the signer prints its EIP-55 checksum form). */
const hexAddress = (address: string): string => address.toLowerCase().replace(/^0x/, '');

/** EIP-191 personal-message digest. */
function personalDigest(message: string): Uint8Array {
  const body = text(message);
  return keccak_256(Uint8Array.from([...text(`\x19Ethereum Signed Message:\n${body.length}`), ...body]));
}

describe('aws-kms-signer (an Ethereum signer on AWS KMS) against the emulator', () => {
  it('derives the key’s address and signs digests that recover to it', async () => {
    const { kms, client } = setup();
    const key = await createKey(client, { KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY', Description: 'ethereum' });
    const signer = new KmsSigner(key.KeyId!, kms.aws.clientConfig());

    const { PublicKey } = await client.send(new GetPublicKeyCommand({ KeyId: key.KeyId }));
    const expected = addressOf(ecPoint(PublicKey!));
    const address = await signer.getAddress();
    expect(hexAddress(address.toString())).toBe(expected);

    for (const message of ['hello from the emulator', 'a second message', '']) {
      const digest = personalDigest(message);
      const signature = await signer.sign(Buffer.from(digest));
      expect(signature.isCompatibleEip2()).toBe(true);
      expect([27, 28]).toContain(signature.v);
      const recovered = secp256k1.Signature.fromBytes(Uint8Array.from([...signature.r, ...signature.s]), 'compact')
        .addRecoveryBit(signature.v - 27)
        .recoverPublicKey(digest)
        .toBytes(false);
      expect(addressOf(recovered)).toBe(expected);
    }

    const signs = kms.aws.cloudTrail((r) => r.eventName === 'Sign');
    expect(signs.length).toBe(3);
    expect(signs[0]!.requestParameters).toMatchObject({ keyId: key.KeyId, signingAlgorithm: 'ECDSA_SHA_256', messageType: 'DIGEST' });
  });

  it('works through an alias, as applications configure it', async () => {
    const { kms, client } = setup();
    const key = await createKey(client, { KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' });
    const { CreateAliasCommand } = await import('@aws-sdk/client-kms');
    await client.send(new CreateAliasCommand({ AliasName: 'alias/eth-signer', TargetKeyId: key.KeyId }));
    const signer = new KmsSigner('alias/eth-signer', kms.aws.clientConfig());
    const digest = keccak_256(text('transaction bytes'));
    const signature = await signer.sign(Buffer.from(digest));
    const point = secp256k1.Signature.fromBytes(Uint8Array.from([...signature.r, ...signature.s]), 'compact').addRecoveryBit(signature.v - 27).recoverPublicKey(digest).toBytes(false);
    expect(addressOf(point)).toBe(hexAddress((await signer.getAddress()).toString()));
  });
});
