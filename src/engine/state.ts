/**
 * The state every capability module shares: the clock, the random source, the realms and their key
 * index, the due-work queue, the sequence, the paging secret, the audit stream, the change log and
 * the per-engine caches. A module owns its part of the state; other modules call it.
 */

import { createCryptoCaches, type CryptoCacheOptions, type CryptoCaches } from '../crypto/caches.js';
import { randomBytes, randomUuid, SeededRandom, systemRandom, type RandomSource } from '../crypto/random.js';
import { AuditLog, type AuditEvent } from './audit.js';
import { systemClock, type Clock } from './clock.js';
import { OrderedIndex } from './ordered.js';
import { realmKey, resourceOf, type AliasRecord, type KeyRecord, type RealmState } from './records.js';
import { DueQueue } from './scheduler-queue.js';
import type { WhiteBoxRecord } from './white-box-data.js';
import type { DataKeyRecord } from './data-key-data.js';
import type { StandalonePolicyRecord } from './standalone-policies.js';
import type { KeyStoreRecord } from './key-store-data.js';
import type { AccessPointRecord } from './access-points.js';
import type { Realm } from './types.js';

export interface EngineOptions {
  clock?: Clock;
  /** A seed makes every id, key and ciphertext reproducible. */
  seed?: string;
  /** A custom random source (overrides `seed`). */
  random?: RandomSource;
  /** How many audit events are retained (oldest dropped first). Default 100,000. */
  auditLimit?: number;
  /** How many bytes of audit events are retained (oldest dropped first). Default 32 MiB. */
  auditBytes?: number;
  /** Capacities of the engine's cryptographic caches (parsed headers, cipher states, parsed keys). */
  caches?: CryptoCacheOptions;
}

/**
 * What changed since the last take (see persistence.ts): records touched since then. A touched
 * record still in its index is serialized as changed; one no longer there is reported as removed.
 */
export class ChangeLog {
  readonly keys = new Set<KeyRecord>();
  readonly aliases = new Set<AliasRecord>();
  readonly whiteBox = new Set<WhiteBoxRecord>();
  readonly dataKeys = new Set<DataKeyRecord>();
  readonly standalonePolicies = new Set<StandalonePolicyRecord>();
  readonly keyStores = new Set<KeyStoreRecord>();
  readonly accessPoints = new Set<AccessPointRecord>();
  /** Keys used for cryptography since the last take: their last uses go into the next record, beside the audit events (usage.ts). */
  readonly used = new Set<KeyRecord>();
  /** `audit.appended` at the last take: later events go into the next change record. */
  auditTaken = 0;
  /** The random position at the last take (seeded sources). */
  randomTaken: number | undefined;
  markerSecretTaken = false;
  /** restore() replaced everything: the next take is a full reset record. */
  resetPending = false;

  clearRecords(): void {
    this.keys.clear();
    this.aliases.clear();
    this.whiteBox.clear();
    this.dataKeys.clear();
    this.standalonePolicies.clear();
    this.keyStores.clear();
    this.accessPoints.clear();
    this.used.clear();
  }
}

export class EngineState {
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly seed: string | undefined;
  random: RandomSource;
  readonly realms = new Map<string, RealmState>();
  /** White-box keys by realm, each map in creation order. */
  readonly whiteBox = new Map<string, Map<string, WhiteBoxRecord>>();
  /** Hosted data keys by realm, each map in creation order. */
  readonly dataKeys = new Map<string, Map<string, DataKeyRecord>>();
  /** Standalone policies by realm, each map in creation order. */
  readonly standalonePolicies = new Map<string, Map<string, StandalonePolicyRecord>>();
  /** Key stores by realm (key-stores.ts), each map in creation order. */
  readonly keyStores = new Map<string, Map<string, KeyStoreRecord>>();
  /** Access points by realm (access-points.ts), each map in creation order. */
  readonly accessPoints = new Map<string, Map<string, AccessPointRecord>>();
  readonly due = new DueQueue();
  seq = 0;
  markerSecret: Uint8Array;
  runningDue = false;
  readonly changes = new ChangeLog();
  /**
   * Public keys by private key (PKCS#8 bytes object): filled when a pair is generated, derived on
   * first use after a restore. Weak, so a deleted key's entry goes with it; one per engine.
   */
  readonly publicKeys = new WeakMap<Uint8Array, Uint8Array>();
  /** Envelope headers, cipher states and parsed keys, least recently used first out; one set per engine. */
  readonly caches: CryptoCaches;

  constructor(options: EngineOptions) {
    this.clock = options.clock ?? systemClock;
    this.seed = options.seed;
    this.random = options.random ?? (options.seed !== undefined ? new SeededRandom(options.seed) : bufferedSystemRandom());
    this.audit = new AuditLog(options.auditLimit, options.auditBytes);
    this.markerSecret = randomBytes(this.random, 32);
    this.caches = createCryptoCaches(options.caches);
  }

  now(): number {
    return this.clock.now();
  }

  newId(): string {
    return randomUuid(this.random);
  }

  realm(account: string, region: string): RealmState | undefined {
    return this.realms.get(realmKey(account, region));
  }

  /** The realm's state, made when first needed. */
  realmFor(realm: Realm): RealmState {
    const k = realmKey(realm.account, realm.region);
    let state = this.realms.get(k);
    if (!state) {
      state = { realm: { account: realm.account, region: realm.region }, keys: new OrderedIndex(), aliases: new OrderedIndex() };
      this.realms.set(k, state);
    }
    return state;
  }

  /** Marks a key changed, for the next change record. */
  touch(key: KeyRecord): void {
    this.changes.keys.add(key);
  }

  /** Appends a service event (a deletion, rotation or expiry the service did on its own) about `key`. */
  serviceEvent(action: string, key: KeyRecord, at: number, additional: Record<string, string>): void {
    const event: AuditEvent = {
      eventId: this.newId(),
      time: at,
      kind: 'service_event',
      action,
      realm: key.realm,
      readOnly: false,
      resources: [resourceOf(key)],
      request: null,
      response: null,
      additional,
    };
    this.audit.append(event);
  }
}

/** System randomness drawn 4 KiB at a time: one getRandomValues call serves many small requests. */
function bufferedSystemRandom(): RandomSource {
  const pool = new Uint8Array(4096);
  let offset = pool.length;
  return {
    fill(out: Uint8Array): Uint8Array {
      if (out.length > 256) return systemRandom.fill(out);
      if (offset + out.length > pool.length) {
        systemRandom.fill(pool);
        offset = 0;
      }
      out.set(pool.subarray(offset, offset + out.length));
      pool.fill(0, offset, offset + out.length);
      offset += out.length;
      return out;
    },
  };
}
