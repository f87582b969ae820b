/**
 * kill -9: the real server (the CLI as a child process, --data-dir in a temporary directory)
 * serves a stream of mutating calls from @aws-sdk/client-kms over HTTP. Every call the client saw
 * succeed is recorded; the process is killed with SIGKILL after N acknowledged calls (for several
 * N) and in the middle of a burst of concurrent calls, then restarted on the same directory. Every
 * acknowledged change must be there (keys, states, descriptions, tags, aliases, rotation), every
 * ciphertext acknowledged before the kill must decrypt, and the state must be consistent (aliases
 * name listed keys, ListKeys pages through exactly the keys DescribeKey finds).
 */
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GetKeyRotationStatusCommand,
  type KMSClient,
  ListAliasesCommand,
  type ListAliasesCommandOutput,
  ListKeysCommand,
  type ListKeysCommandOutput,
  ListResourceTagsCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UpdateAliasCommand,
  UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliProcess, httpClient, startCli } from '../support/server.js';

interface KeyModel {
  state: 'Enabled' | 'Disabled' | 'PendingDeletion';
  description: string;
  tags: Record<string, string>;
  rotation: boolean;
  /** A call on this key was in flight at the kill: its state may be either side of it. */
  uncertain: boolean;
}

/** What the client was told succeeded. */
class Model {
  readonly keys = new Map<string, KeyModel>();
  readonly aliases = new Map<string, string>();
  readonly uncertainAliases = new Set<string>();
  readonly ciphertexts: Array<{ blob: Uint8Array; plaintext: string; keyId: string }> = [];
  acknowledged = 0;
}

const text = (s: string) => new TextEncoder().encode(s);

class Driver {
  constructor(
    readonly model: Model,
    public client: KMSClient,
  ) {}

  /** Runs one call; on success applies `onAck` to the model (the acknowledgement). */
  async run<T>(command: { input: unknown }, keyId: string | undefined, onAck: (out: T) => void): Promise<boolean> {
    let out: T;
    try {
      out = (await this.client.send(command as never)) as T;
    } catch (e) {
      // Refused by the emulator (a model mistake would show up as a failed check later) or cut by the kill.
      const key = keyId ? this.model.keys.get(keyId) : undefined;
      if (key && (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === undefined) key.uncertain = true;
      return false;
    }
    onAck(out);
    this.model.acknowledged++;
    return true;
  }

  createKey(description: string): Promise<boolean> {
    return this.run<{ KeyMetadata?: { KeyId?: string } }>(new CreateKeyCommand({ Description: description, Tags: [{ TagKey: 'created', TagValue: description }] }), undefined, (out) => {
      this.model.keys.set(out.KeyMetadata!.KeyId!, { state: 'Enabled', description, tags: { created: description }, rotation: false, uncertain: false });
    });
  }

  tag(keyId: string, k: string, v: string): Promise<boolean> {
    return this.run(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: k, TagValue: v }] }), keyId, () => {
      this.model.keys.get(keyId)!.tags[k] = v;
    });
  }

  describe(keyId: string, description: string): Promise<boolean> {
    return this.run(new UpdateKeyDescriptionCommand({ KeyId: keyId, Description: description }), keyId, () => {
      this.model.keys.get(keyId)!.description = description;
    });
  }

  disable(keyId: string): Promise<boolean> {
    return this.run(new DisableKeyCommand({ KeyId: keyId }), keyId, () => {
      this.model.keys.get(keyId)!.state = 'Disabled';
    });
  }

  enable(keyId: string): Promise<boolean> {
    return this.run(new EnableKeyCommand({ KeyId: keyId }), keyId, () => {
      this.model.keys.get(keyId)!.state = 'Enabled';
    });
  }

  scheduleDeletion(keyId: string): Promise<boolean> {
    return this.run(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 30 }), keyId, () => {
      this.model.keys.get(keyId)!.state = 'PendingDeletion';
    });
  }

  enableRotation(keyId: string): Promise<boolean> {
    return this.run(new EnableKeyRotationCommand({ KeyId: keyId }), keyId, () => {
      this.model.keys.get(keyId)!.rotation = true;
    });
  }

  alias(name: string, keyId: string): Promise<boolean> {
    const update = this.model.aliases.has(name);
    const command = update ? new UpdateAliasCommand({ AliasName: name, TargetKeyId: keyId }) : new CreateAliasCommand({ AliasName: name, TargetKeyId: keyId });
    return this.run(command, undefined, () => {
      this.model.aliases.set(name, keyId);
      this.model.uncertainAliases.delete(name);
    }).then((ok) => {
      if (!ok) this.model.uncertainAliases.add(name);
      return ok;
    });
  }

  encrypt(keyId: string, plaintext: string): Promise<boolean> {
    return this.run<{ CiphertextBlob?: Uint8Array }>(new EncryptCommand({ KeyId: keyId, Plaintext: text(plaintext) }), undefined, (out) => {
      this.model.ciphertexts.push({ blob: out.CiphertextBlob!, plaintext, keyId });
    });
  }

  /** Keys and aliases with a call in flight: concurrent calls never touch the same one, so acknowledgement order cannot matter. */
  readonly busy = new Set<string>();

  /** The next mutating call of a deterministic stream (step i), on keys the model says are usable. */
  async step(i: number): Promise<boolean> {
    const usable = [...this.model.keys].filter(([id, k]) => k.state !== 'PendingDeletion' && !k.uncertain && !this.busy.has(id)).map(([id]) => id);
    const pick = usable[(i * 7) % Math.max(1, usable.length)];
    const alias = `alias/a${i % 5}`;
    if (!pick || i % 9 === 0 || (i % 9 === 2 && this.busy.has(alias))) return this.createKey(`key-${i}`);
    this.busy.add(pick);
    this.busy.add(alias);
    try {
      return await this.#step(i, pick, usable.length, alias);
    } finally {
      this.busy.delete(pick);
      this.busy.delete(alias);
    }
  }

  #step(i: number, pick: string, usable: number, alias: string): Promise<boolean> {
    const key = this.model.keys.get(pick)!;
    switch (i % 9) {
      case 1:
        return this.tag(pick, `t${i % 4}`, `v${i}`);
      case 2:
        return this.alias(alias, pick);
      case 3:
        return key.state === 'Enabled' ? this.encrypt(pick, `plain-${i}`) : this.enable(pick);
      case 4:
        return key.state === 'Enabled' ? this.disable(pick) : this.enable(pick);
      case 5:
        return this.describe(pick, `described-${i}`);
      case 6:
        return usable > 3 ? this.scheduleDeletion(pick) : this.createKey(`key-${i}`);
      case 7:
        return this.enableRotation(pick);
      default:
        return key.state === 'Enabled' ? this.encrypt(pick, `plain-${i}`) : this.tag(pick, 'x', `${i}`);
    }
  }
}

/** Every acknowledged change is there; the state is consistent. */
async function verify(client: KMSClient, model: Model): Promise<void> {
  for (const [id, want] of model.keys) {
    const meta = (await client.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!;
    if (want.uncertain) continue;
    expect({ id, state: meta.KeyState, description: meta.Description }).toEqual({ id, state: want.state, description: want.description });
    const tags = (await client.send(new ListResourceTagsCommand({ KeyId: id }))).Tags ?? [];
    expect(Object.fromEntries(tags.map((t) => [t.TagKey!, t.TagValue!]))).toEqual(want.tags);
    if (want.rotation && want.state === 'Enabled') {
      expect((await client.send(new GetKeyRotationStatusCommand({ KeyId: id }))).KeyRotationEnabled).toBe(true);
    }
  }
  const listedAliases = new Map<string, string>();
  let marker: string | undefined;
  do {
    const page: ListAliasesCommandOutput = await client.send(new ListAliasesCommand({ Limit: 7, ...(marker ? { Marker: marker } : {}) }));
    // Predefined aliases of AWS managed keys not made yet have no key.
    for (const a of page.Aliases ?? []) if (a.TargetKeyId !== undefined) listedAliases.set(a.AliasName!, a.TargetKeyId);
    marker = page.NextMarker;
  } while (marker);
  for (const [name, keyId] of model.aliases) {
    if (!model.uncertainAliases.has(name)) expect({ name, keyId: listedAliases.get(name) }).toEqual({ name, keyId });
  }
  for (const c of model.ciphertexts) {
    // A ciphertext decrypts while its key is enabled (disabled keys refuse, as they should).
    const key = model.keys.get(c.keyId)!;
    if (key.uncertain || key.state !== 'Enabled') continue;
    const out = await client.send(new DecryptCommand({ CiphertextBlob: c.blob }));
    expect(new TextDecoder().decode(out.Plaintext)).toBe(c.plaintext);
    expect(out.KeyId).toContain(c.keyId);
  }
  // Consistency: ListKeys pages through exactly the keys that exist; every alias names one of them.
  const listed = new Set<string>();
  marker = undefined;
  do {
    const page: ListKeysCommandOutput = await client.send(new ListKeysCommand({ Limit: 13, ...(marker ? { Marker: marker } : {}) }));
    for (const k of page.Keys ?? []) listed.add(k.KeyId!);
    marker = page.NextMarker;
  } while (marker);
  for (const id of model.keys.keys()) expect(listed.has(id), `key ${id} is listed`).toBe(true);
  for (const id of listed) await client.send(new DescribeKeyCommand({ KeyId: id }));
  for (const [name, keyId] of listedAliases) expect(listed.has(keyId), `alias ${name} names a listed key`).toBe(true);
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function kill(server: CliProcess): Promise<void> {
  server.proc.kill('SIGKILL');
  expect(await server.exited).toBe('SIGKILL');
}

describe('durability under kill -9', () => {
  it('every acknowledged call survives SIGKILL at several points, sequential and concurrent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kms-kill-'));
    dirs.push(dir);
    const model = new Model();
    let server = await startCli(['--data-dir', dir]);
    const driver = new Driver(model, httpClient(server.url));
    let step = 0;
    const restart = async () => {
      await kill(server);
      server = await startCli(['--data-dir', dir]);
      driver.client = httpClient(server.url);
      await verify(driver.client, model);
    };

    // Killed right after the N-th acknowledgement, for a few N.
    for (const n of [1, 12, 40]) {
      const target = model.acknowledged + n;
      while (model.acknowledged < target) await driver.step(step++);
      await restart();
    }

    // Killed in the middle of bursts of concurrent calls: as soon as K of them are acknowledged.
    for (const k of [10, 25]) {
      const burst = Array.from({ length: 40 }, () => step++);
      const before = model.acknowledged;
      let killed = false;
      await Promise.all(
        burst.map((i) =>
          driver.step(i).then(() => {
            if (!killed && model.acknowledged - before >= k) {
              killed = true;
              server.proc.kill('SIGKILL');
            }
          }),
        ),
      );
      expect(killed).toBe(true);
      await restart();
    }

    // Graceful stop compacts: the journal is empty and the snapshot holds everything.
    for (let i = 0; i < 10; i++) await driver.step(step++);
    server.proc.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(statSync(join(dir, 'journal.log')).size).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8')).format).toBe('kms-emulator/data-dir');
    server = await startCli(['--data-dir', dir]);
    driver.client = httpClient(server.url);
    await verify(driver.client, model);
    expect(model.keys.size).toBeGreaterThan(10);
    expect(model.ciphertexts.length).toBeGreaterThan(5);
    expect(model.aliases.size).toBeGreaterThan(2);
    await kill(server);
  });

  it('a second server on the same directory refuses to start, with a clear message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kms-kill-'));
    dirs.push(dir);
    const first = await startCli(['--data-dir', dir]);
    const second = await startCli(['--data-dir', dir]).catch((e: Error) => e);
    expect(second).toBeInstanceOf(Error);
    expect((second as Error).message).toMatch(/in use by another kms-emulator/);
    await kill(first);
  });
});
