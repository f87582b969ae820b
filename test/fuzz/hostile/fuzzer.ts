/**
 * The hostile-input run: segments of generated requests sent concurrently to the real server,
 * each segment ended by kill -9, a restart on the same data directory (with and without
 * signatures, in turn) and a check of every change acknowledged since the last restart (and a
 * sample of older ones). Findings are collected, not thrown, so that a run reports them all.
 */
import fc from 'fast-check';
import { type Built, build } from './build.js';
import { Client, plaintextOf } from './client.js';
import { controlRequest, judgeControl } from './control.js';
import { type Spec, specArbitrary } from './generators.js';
import { type CiphertextRecord, type GrantRecord, type KeyRecord, Model, type Pairs } from './model.js';
import { kill9, type Running, ServerLog, startServer } from './server.js';
import { breaksSignature, judge, MAX_BODY, mutate, PROTOCOLS, type ProtocolName, send } from './wire.js';

export interface FuzzOptions {
  dataDir: string;
  seed: number;
  /** Generated requests in all. */
  requests: number;
  /** Requests between two kill -9 restarts. */
  segment: number;
  concurrency: number;
  /** Probe one in this many of the refusable mutating requests the generator marks (1: all of them). */
  probeEvery: number;
  /** Stop early (between segments) after this many ms. */
  maxMs: number;
}

export interface Finding {
  kind: string;
  request: string;
  detail: string;
}

export interface Report {
  requests: number;
  /** All HTTP requests, the fuzzer's probes and checks included. */
  httpRequests: number;
  perProtocol: Record<ProtocolName | 'control', number>;
  codes: Record<string, number>;
  restarts: number;
  refusedRestarts: number;
  restartMs: number;
  startMs: number;
  inFlightKills: number;
  cutRequests: number;
  signedSegments: number;
  probes: number;
  acknowledged: number;
  keys: Record<ProtocolName, number>;
  ciphertextsChecked: number;
  prototypeContexts: number;
  prototypeGrants: number;
  prototypeTags: number;
  logLines: number;
  logAlarms: string[];
  findings: Finding[];
  /** Findings by kind (all of them; `findings` keeps the first 25 of each). */
  findingCounts: Record<string, number>;
  ms: number;
}

/** Readers-writer gate: ordinary requests share it; probes and restarts hold it alone. */
class Gate {
  #active = 0;
  #blocked: Promise<void> | undefined;
  #drained: (() => void) | undefined;
  async enter(): Promise<void> {
    while (this.#blocked) await this.#blocked;
    this.#active++;
  }
  leave(): void {
    this.#active--;
    if (this.#active === 0) this.#drained?.();
  }
  /** Runs `fn` alone; `early` runs once new requests are held back, before those in flight end. */
  async alone<T>(fn: () => Promise<T>, early?: () => Promise<void>): Promise<T> {
    while (this.#blocked) await this.#blocked;
    let open!: () => void;
    this.#blocked = new Promise((r) => (open = r));
    const drained = this.#active > 0 ? new Promise<void>((r) => (this.#drained = r)) : undefined;
    await early?.();
    await drained;
    this.#drained = undefined;
    try {
      return await fn();
    } finally {
      this.#blocked = undefined;
      open();
    }
  }
}

/** X-TC-Region values no Tencent region has (case and spaces aside, which the gateway may forgive). */
const BOGUS_REGION = /^(__proto__|constructor|toString|x{100,}|\.\.\/.*|\u00e9)$/;

const isProto = (pairs: Pairs) => pairs.some(([k]) => k !== 'purpose' && k !== 'plain');

export class HostileFuzzer {
  model = new Model();
  /** The data directory in use (a new one after a refused restart, so that the run goes on). */
  dataDir: string;
  readonly log = new ServerLog();
  readonly findings: Finding[] = [];
  readonly findingCounts = new Map<string, number>();
  readonly codes = new Map<string, number>();
  readonly perProtocol: Record<ProtocolName, number> = { aws: 0, tencent: 0, huawei: 0 };
  readonly gate = new Gate();
  readonly keyLocks = new Map<string, Promise<void>>();
  server: Running | undefined;
  client!: Client;
  requests = 0;
  /** Requests to the control API (counted in `requests` too). */
  controlRequests = 0;
  restarts = 0;
  refusedRestarts = 0;
  /** Restarts whose kill -9 hit requests in flight, and the requests it cut. */
  inFlightKills = 0;
  cutRequests = 0;
  #killing = false;
  /** What earlier models (before a refused restart) had acknowledged. */
  #lost = { acknowledged: 0, keys: { aws: 0, tencent: 0, huawei: 0 } as Record<ProtocolName, number> };
  signedSegments = 0;
  probes = 0;
  /** Time spent in kill -9, restarts and their checks; the part spent starting the server. */
  restartMs = 0;
  startMs = 0;
  ciphertextsChecked = 0;
  protoContexts = 0;
  protoGrants = 0;
  protoTags = 0;
  /** Records since the last restart (all checked after it) and the count of older ones. */
  #fresh = { keys: [] as Array<[ProtocolName, KeyRecord]>, ciphertexts: [] as CiphertextRecord[], grants: [] as GrantRecord[] };

  constructor(readonly options: FuzzOptions) {
    this.dataDir = options.dataDir;
  }

  find(kind: string, request: string, detail: string): void {
    // A check cut by the kill -9 in flight says nothing.
    if (this.#killing && /connection failed|TRANSPORT/.test(detail)) return;
    const seen = (this.findingCounts.get(kind) ?? 0) + 1;
    this.findingCounts.set(kind, seen);
    // Every finding is counted; the first 25 of each kind are kept.
    if (seen <= 25) this.findings.push({ kind, request: request.slice(0, 400), detail: detail.slice(0, 600) });
  }

  async run(): Promise<Report> {
    const started = Date.now();
    const { segment, requests, seed } = this.options;
    this.server = await startServer(this.dataDir, true, this.log);
    this.client = new Client(this.server.url, true);
    this.signedSegments = 1;
    try {
      for (let s = 0; s * segment < requests; s++) {
        const count = Math.min(segment, requests - s * segment);
        // Every third segment is a burst of deep, wide and huge members; every segment ends with kill -9.
        const specs = fc.sample(specArbitrary(s % 3 === 2), { seed: seed + s, numRuns: count });
        await this.segment(specs, s);
        await this.restart(s + 1);
        if (Date.now() - started > this.options.maxMs) break;
      }
    } finally {
      if (this.server) await kill9(this.server);
      this.client.close();
    }
    return this.report(Date.now() - started);
  }

  async segment(specs: Spec[], s: number): Promise<void> {
    let next = 0;
    // Every fourth segment (the second one first) is cut by kill -9 in the middle, with requests in flight.
    const killAt = s % 4 === 1 ? Math.floor(specs.length / 2) : -1;
    let killed: Promise<void> | undefined;
    const worker = async () => {
      while (next < specs.length) {
        if (next === killAt && !killed) killed = this.restart(s * 1000 + 1, true);
        const seq = s * this.options.segment + next;
        const spec = specs[next++]!;
        await this.one(spec, seq);
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency }, worker));
    await killed;
  }

  async withKey<T>(id: string | undefined, fn: () => Promise<T>): Promise<T> {
    if (!id) return fn();
    const before = this.keyLocks.get(id) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const chained = before.then(() => mine);
    this.keyLocks.set(id, chained);
    await before;
    try {
      return await fn();
    } finally {
      release();
      if (this.keyLocks.get(id) === chained) this.keyLocks.delete(id);
    }
  }

  async one(spec: Spec, seq: number): Promise<void> {
    if (spec.control !== undefined) return this.control(spec);
    const built = build(spec, this.model, seq, this.client.signed);
    const probe = spec.probe && built.draft.mutating && built.hostile && seq % this.options.probeEvery === 0;
    const run = () => this.withKey(built.draft.mutating ? built.draft.key?.id : undefined, () => this.send(built, probe));
    if (probe) return this.gate.alone(run);
    await this.gate.enter();
    try {
      await run();
    } finally {
      this.gate.leave();
    }
  }

  /** A hostile control API request: refused in its own error shape (or a read answered), and nothing changes. */
  async control(spec: Spec): Promise<void> {
    const request = controlRequest(spec, spec.control!, this.client.signed);
    const probe = request.mutating && spec.probe;
    const run = async () => {
      const before = probe ? await this.client.probe('aws', undefined, undefined) : undefined;
      this.client.sent++;
      const answer = await send(this.client.url, request.path, request.headers, request.body, this.client.agent, request.method);
      this.requests++;
      this.controlRequests++;
      if (answer.transport && this.#killing) return void this.cutRequests++;
      const verdict = judgeControl(request, answer);
      this.codes.set(`control ${verdict.code}`, (this.codes.get(`control ${verdict.code}`) ?? 0) + 1);
      if (verdict.unexpected) this.find('unexpected answer', request.label, verdict.unexpected);
      if (probe) {
        this.probes++;
        const after = await this.client.probe('aws', undefined, undefined);
        if (after !== before) this.find('refused request changed state', request.label, `${verdict.code}: ${before!.slice(0, 200)} → ${after.slice(0, 200)}`);
      }
    };
    if (probe) return this.gate.alone(run);
    await this.gate.enter();
    try {
      await run();
    } finally {
      this.gate.leave();
    }
  }

  async send(built: Built, probe: boolean): Promise<void> {
    const { wire, draft } = built;
    const before = probe ? await this.client.probe(wire.protocol, draft.key?.id, wire.region) : undefined;
    if (probe) this.probes++;
    let signedNames: string[] = [];
    const answer = await this.client.raw(wire, (headers) => mutate(wire, headers), (headers) => (signedNames = Object.keys(headers).map((h) => h.toLowerCase())));
    this.requests++;
    this.perProtocol[wire.protocol]++;
    if (answer.transport && this.#killing) {
      // Cut by a kill -9 in flight: not acknowledged, and what it did is unknown.
      this.cutRequests++;
      if (draft.key) draft.key.uncertain = true;
      return;
    }
    if (answer.transport && /EPIPE|ECONNRESET/.test(answer.transport) && wire.body.length > MAX_BODY) {
      // The server answers an oversized body at once and closes the connection: a client still
      // writing may see the close before the answer (HTTP allows it). Refused either way.
      this.codes.set(`${wire.protocol} closed while the oversized body was sent`, (this.codes.get(`${wire.protocol} closed while the oversized body was sent`) ?? 0) + 1);
      return;
    }
    const verdict = judge(wire.protocol, answer);
    const key = `${wire.protocol} ${verdict.code}`;
    this.codes.set(key, (this.codes.get(key) ?? 0) + 1);
    if (verdict.unexpected) this.find('unexpected answer', built.label, verdict.unexpected);
    const m = wire.mutation;
    // Dropping a header the signer did not add changes nothing.
    const mustRefuse = this.client.signed && breaksSignature(wire) && (m?.kind !== 'drop-header' || signedNames.includes(m.name.toLowerCase()));
    if (wire.region !== undefined && BOGUS_REGION.test(wire.region) && verdict.ok) this.find('request in a region that does not exist accepted', built.label, JSON.stringify(verdict.body).slice(0, 200));
    if (mustRefuse && verdict.ok) {
      this.find('altered signed request accepted', built.label, JSON.stringify(verdict.body).slice(0, 300));
      // What it changed is unknown: the key is no longer checked (the finding stands for it).
      if (draft.key) draft.key.uncertain = true;
    }
    const sealed = draft.ciphertext;
    if (sealed && !mustRefuse && wire.region === undefined) {
      const plain = verdict.ok ? plaintextOf(wire.protocol, verdict.body) : undefined;
      if (built.blob === 'refuse' && verdict.ok) this.find('altered ciphertext accepted', built.label, `decrypts to ${JSON.stringify(plain)}`);
      else if (built.blob === 'same' && verdict.ok && plain !== sealed.plaintext) this.find('re-encoded ciphertext decrypts wrongly', built.label, `${JSON.stringify(plain)} instead of ${sealed.plaintext}`);
      else if (!built.hostile && (!verdict.ok || plain !== sealed.plaintext)) this.find('acknowledged ciphertext does not decrypt', built.label, `${verdict.code}: ${JSON.stringify(plain)}`);
    }
    if (verdict.ok && !mustRefuse) {
      if (draft.mutating) this.model.acknowledged++;
      // A request in an odd Tencent region may act elsewhere, or (empty, or spaces trimmed) in the default region: not followed.
      if (wire.region !== undefined && draft.key && draft.mutating) draft.key.uncertain = true;
      if (wire.region === undefined && draft.effect) {
        const keysBefore = this.model.keys[wire.protocol].length;
        const ciphertextsBefore = this.model.ciphertexts.length;
        const grantsBefore = this.model.grants.length;
        draft.effect(verdict.body, built.exact, built.map);
        for (const k of this.model.keys[wire.protocol].slice(keysBefore)) this.#fresh.keys.push([wire.protocol, k]);
        for (const c of this.model.ciphertexts.slice(ciphertextsBefore)) {
          this.#fresh.ciphertexts.push(c);
          if (isProto(c.context)) await this.checkProtoCiphertext(c, built.label);
        }
        for (const g of this.model.grants.slice(grantsBefore)) {
          this.#fresh.grants.push(g);
          if (isProto(g.context)) await this.checkGrant(g, built.label);
        }
        if (built.exact && draft.key && (draft.mapMember?.style === 'tags' || draft.mapMember?.style === 'huawei-tag') && isProto(built.map)) await this.checkTags(wire.protocol, draft.key, built.label);
      }
    }
    if (probe && !verdict.ok) {
      const after = await this.client.probe(wire.protocol, draft.key?.id, wire.region);
      if (after !== before) {
        let at = 0;
        while (at < after.length && after[at] === before![at]) at++;
        const from = Math.max(0, at - 120);
        this.find('refused request changed state', built.label, `${verdict.code}: before …${before!.slice(from, at + 150)}… after …${after.slice(from, at + 150)}…`);
      }
    }
  }

  /** A ciphertext made with prototype-named context keys decrypts with exactly that context, and not with {} or another value. */
  async checkProtoCiphertext(c: CiphertextRecord, label: string): Promise<void> {
    this.protoContexts++;
    const right = await this.client.decrypt(c.protocol, c.blob, c.context);
    if (right.plaintext !== c.plaintext) this.find('prototype-named context', label, `does not decrypt with its own context: ${right.code} ${right.unexpected ?? ''}`);
    const changed: Pairs = c.context.map(([k, v], i) => [k, i === 0 ? `${v}-other` : v]);
    for (const [name, ctx] of [['{}', []], ['the first value changed', changed]] as const) {
      const wrong = await this.client.decrypt(c.protocol, c.blob, ctx as Pairs);
      if (wrong.plaintext !== undefined) this.find('prototype-named context lost', label, `the ciphertext also decrypts with ${name}: ${JSON.stringify(ctx)}`);
      if (wrong.unexpected) this.find('unexpected answer', `${label} (decrypt check)`, wrong.unexpected);
    }
  }

  async checkGrant(g: GrantRecord, label: string): Promise<void> {
    this.protoGrants++;
    const grants = await this.client.grants(g.keyId);
    const got = typeof grants === 'string' ? grants : grants.get(g.grantId);
    // Entries of JSON.parse output: {"__proto__":…} is an own key there. Order aside.
    const entries = (o: unknown) => (o && typeof o === 'object' ? Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : o);
    const gotText = JSON.stringify(got && typeof got === 'object' ? Object.keys(got).map((k) => [k, entries((got as Record<string, unknown>)[k])]) : got);
    const wantText = JSON.stringify([[g.constraint, [...g.context].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]]);
    if (gotText !== wantText) this.find('grant constraint not kept', label, `ListGrants gives ${JSON.stringify(got)}, created with ${JSON.stringify(g.context)}`);
  }

  async checkTags(protocol: ProtocolName, key: KeyRecord, label: string): Promise<void> {
    this.protoTags++;
    if (key.uncertain) return;
    const tags = await this.client.tags(protocol, key.id);
    if (typeof tags === 'string') return this.find('tags not listed', label, tags);
    for (const [k, v] of key.tags) if (tags.get(k) !== v) this.find('tag not kept', label, `tag ${k} is ${JSON.stringify(tags.get(k))}, acknowledged ${JSON.stringify(v)}`);
  }

  /** kill -9, restart on the same directory (signatures on every other segment), check what was acknowledged. */
  async restart(s: number, inFlight = false): Promise<void> {
    const started = Date.now();
    const kill = async () => {
      this.#killing = true;
      await kill9(this.server!);
    };
    await this.gate.alone(async () => {
      if (!inFlight) await kill();
      this.#killing = false;
      if (inFlight) this.inFlightKills++;
      this.server = undefined;
      const signed = s % 2 === 0;
      const starting = Date.now();
      try {
        this.server = await startServer(this.dataDir, signed, this.log);
        this.startMs += Date.now() - starting;
      } catch (e) {
        this.refusedRestarts++;
        this.find('refused restart', `restart ${s}`, (e as Error).message);
        // The directory stays as it was refused; the run goes on in a new one, with a new model.
        this.dataDir = `${this.options.dataDir}-${this.refusedRestarts}`;
        this.#lost.acknowledged += this.model.acknowledged;
        for (const p of PROTOCOLS) this.#lost.keys[p] += this.model.keys[p].length;
        this.model = new Model();
        this.#fresh = { keys: [], ciphertexts: [], grants: [] };
        this.server = await startServer(this.dataDir, signed, this.log);
      }
      this.restarts++;
      if (signed) this.signedSegments++;
      this.client.url = this.server.url;
      this.client.signed = signed;
      await this.verify();
    }, inFlight ? kill : undefined);
    this.restartMs += Date.now() - started;
  }

  sample<T>(all: readonly T[], fresh: readonly T[], n: number, s: number): T[] {
    const old = all.length - fresh.length;
    const picked = new Set(fresh);
    for (let i = 0; i < n && old > 0; i++) picked.add(all[(s * 7919 + i * 104729) % old]!);
    return [...picked];
  }

  /** Runs `check` on every item, eight at a time. */
  async each<T>(items: readonly T[], check: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < items.length) await check(items[next++]!);
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  }

  async verify(): Promise<void> {
    const s = this.restarts;
    const where = `after restart ${s}`;
    const allKeys = PROTOCOLS.flatMap((p) => this.model.keys[p].map((k): [ProtocolName, KeyRecord] => [p, k]));
    await this.each(this.sample(allKeys, this.#fresh.keys, 30, s), async ([protocol, key]) => {
      const r = await this.client.describe(protocol, key.id);
      if (!r.ok) this.find('acknowledged key lost', where, `${protocol} key ${key.id}: ${r.code} ${r.unexpected ?? ''}`);
      else if (!key.uncertain && protocol !== 'aws' && key.alias !== undefined && r.alias !== key.alias) this.find('acknowledged alias lost', where, `${protocol} key ${key.id} alias ${JSON.stringify(r.alias)}, acknowledged ${key.alias}`);
      if (!key.uncertain && key.tags.size > 0) await this.checkTags(protocol, key, where);
    });
    const aliases = await this.client.awsAliases();
    for (const [name, id] of this.model.awsAliases) {
      const got = typeof aliases === 'string' ? aliases : aliases.get(name);
      if (got !== id) this.find('acknowledged alias lost', where, `aws ${name} → ${got}, acknowledged ${id}`);
    }
    await this.each(this.sample(this.model.ciphertexts, this.#fresh.ciphertexts, 30, s), async (c) => {
      this.ciphertextsChecked++;
      const r = await this.client.decrypt(c.protocol, c.blob, c.context);
      if (r.plaintext !== c.plaintext) this.find('acknowledged ciphertext does not decrypt', where, `${c.protocol} ${c.blob.slice(0, 60)}… with ${JSON.stringify(c.context)}: ${r.code} ${r.unexpected ?? ''}`);
      if (isProto(c.context)) {
        const wrong = await this.client.decrypt(c.protocol, c.blob, []);
        if (wrong.plaintext !== undefined) this.find('prototype-named context lost', where, `${c.protocol} ciphertext decrypts with {} after restart`);
      }
    });
    await this.each(this.sample(this.model.grants, this.#fresh.grants, 10, s), (g) => this.checkGrant(g, where));
    this.#fresh = { keys: [], ciphertexts: [], grants: [] };
  }

  report(ms: number): Report {
    return {
      requests: this.requests,
      httpRequests: this.client.sent,
      perProtocol: { ...this.perProtocol, control: this.controlRequests },
      codes: Object.fromEntries([...this.codes].sort((a, b) => b[1] - a[1])),
      restarts: this.restarts,
      refusedRestarts: this.refusedRestarts,
      restartMs: this.restartMs,
      startMs: this.startMs,
      inFlightKills: this.inFlightKills,
      cutRequests: this.cutRequests,
      signedSegments: this.signedSegments,
      probes: this.probes,
      acknowledged: this.model.acknowledged + this.#lost.acknowledged,
      keys: Object.fromEntries(PROTOCOLS.map((p) => [p, this.model.keys[p].length + this.#lost.keys[p]])) as Record<ProtocolName, number>,
      ciphertextsChecked: this.ciphertextsChecked,
      prototypeContexts: this.protoContexts,
      prototypeGrants: this.protoGrants,
      prototypeTags: this.protoTags,
      logLines: this.log.lines,
      logAlarms: this.log.samples,
      findings: this.findings,
      findingCounts: Object.fromEntries(this.findingCounts),
      ms,
    };
  }
}
