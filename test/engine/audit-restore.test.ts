/**
 * The audit stream restored in one pass (a snapshot's events) and deferred (a durable store's
 * events, read on first use) keeps exactly what appending the events one by one keeps.
 */
import { describe, expect, it } from 'vitest';
import { AuditLog, type AuditEvent } from '../../src/engine/audit.js';

function event(i: number, pad = 0): AuditEvent {
  return {
    eventId: `e${i}`,
    time: i,
    kind: 'api_call',
    action: 'Encrypt',
    realm: { account: '111122223333', region: 'us-east-1' },
    readOnly: false,
    resources: [],
    request: { n: i, pad: 'x'.repeat(pad) },
    response: null,
  };
}

/** An event's size as the stream counts it. */
function sizeOf(e: AuditEvent): number {
  const one = new AuditLog();
  one.append(e);
  return one.bytes;
}

/** Events of uneven sizes, so that the byte bound falls between them. */
const events = Array.from({ length: 300 }, (_, i) => event(i, (i * 37) % 500));

/** What appending one by one keeps: the reference. */
function appended(limit: number, bytes: number, all = events): AuditLog {
  const log = new AuditLog(limit, bytes);
  for (const e of all) log.append(e);
  return log;
}

const state = (log: AuditLog) => ({ ids: log.list().map((e) => e.eventId), size: log.size, bytes: log.bytes, appended: log.appended });
const bounds: Array<[number, number]> = [
  [1000, 1 << 30],
  [100, 1 << 30],
  [1000, 50_000],
  [37, 20_000],
  [1, 1 << 30],
  [0, 1 << 30],
  [1000, 10],
];

describe('audit stream restore', () => {
  it('restore keeps what appending one by one keeps, under every count and byte bound', () => {
    for (const [limit, bytes] of bounds) {
      const log = new AuditLog(limit, bytes);
      log.append(event(-1));
      log.restore(events);
      const reference = appended(limit, bytes);
      expect(state(log), `${limit}/${bytes}`).toEqual({ ...state(reference), appended: reference.appended + 1 });
    }
  });

  it('restoreDeferred keeps the same, reads the events only when they are listed, and only once', () => {
    const sizes = events.map(sizeOf);
    for (const [limit, bytes] of bounds) {
      let reads = 0;
      const log = new AuditLog(limit, bytes);
      log.restoreDeferred(sizes, () => {
        reads++;
        return events;
      });
      const reference = appended(limit, bytes);
      expect({ size: log.size, bytes: log.bytes, appended: log.appended }, `${limit}/${bytes}`).toEqual({ size: reference.size, bytes: reference.bytes, appended: reference.appended });
      expect(reads).toBe(0);
      expect(state(log)).toEqual(state(reference));
      log.list();
      expect(reads).toBe(1);
    }
  });

  it('events appended after a deferred restore are read without reading the deferred ones; reaching back reads them', () => {
    const sizes = events.map(sizeOf);
    let reads = 0;
    const log = new AuditLog();
    log.restoreDeferred(sizes, () => {
      reads++;
      return events;
    });
    const from = log.appended;
    log.append(event(1000));
    log.append(event(1001));
    expect(log.since(from).map((e) => e.eventId)).toEqual(['e1000', 'e1001']);
    expect(reads).toBe(0);
    expect(log.since(from - 2).map((e) => e.eventId)).toEqual(['e298', 'e299', 'e1000', 'e1001']);
    expect(reads).toBe(1);
    expect(log.list().map((e) => e.eventId)).toEqual([...events.map((e) => e.eventId), 'e1000', 'e1001']);
    expect(reads).toBe(1);
  });

  it('deferred events pushed out by later ones (and the stream compacted) leave the right ones behind', () => {
    const many = Array.from({ length: 12_000 }, (_, i) => event(i));
    const sizes = many.map(sizeOf);
    const later = Array.from({ length: 9_000 }, (_, i) => event(100_000 + i));
    for (const limit of [10_000, 12_000, 5_000]) {
      let reads = 0;
      const log = new AuditLog(limit, 1 << 30);
      log.restoreDeferred(sizes, () => {
        reads++;
        return many;
      });
      for (const e of later) log.append(e);
      expect(reads).toBe(0);
      expect(state(log), String(limit)).toEqual(state(appended(limit, 1 << 30, [...many, ...later])));
    }
  });

  it('a reader that returns another number of events than the sizes count is a bug, reported as such', () => {
    const log = new AuditLog();
    log.restoreDeferred([500, 500], () => [event(1)]);
    expect(() => log.list()).toThrow(/deferred audit events are 1, not the 2/);
  });

  it('clear drops deferred events unread', () => {
    let reads = 0;
    const log = new AuditLog();
    log.restoreDeferred([500, 500], () => {
      reads++;
      return [event(1), event(2)];
    });
    log.clear();
    expect(log.list()).toEqual([]);
    expect(reads).toBe(0);
  });
});
