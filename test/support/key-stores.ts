/** Helpers of the custom key store tests: what a refused call must leave as it was, and a store as DescribeCustomKeyStores shows it. */
import { DescribeCustomKeyStoresCommand, type KMSClient } from '@aws-sdk/client-kms';
import { expect } from 'vitest';
import type { Kms } from '../../src/index.js';
import { rejection } from './kms.js';

/** Everything a call could change: keys, key stores, the sequence (not the audit trail). */
export function everything(kms: Kms) {
  const { realms, seq, keyStores } = kms.snapshot();
  return { realms, seq, keyStores };
}

/** The call's error, after checking it changed nothing. */
export async function unchanged(kms: Kms, call: () => Promise<unknown>) {
  const before = everything(kms);
  const error = await rejection(call);
  expect(everything(kms)).toEqual(before);
  return error;
}

export async function storeOf(client: KMSClient, id: string) {
  return (await client.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: id }))).CustomKeyStores![0]!;
}
