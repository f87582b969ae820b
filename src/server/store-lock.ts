/**
 * DIR/lock: one server at a time owns a data directory. The file holds {"pid","host","nonce","since"}
 * while a server owns the directory; a lock whose owner is gone is taken over.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DurableStoreError } from './store-error.js';

export const LOCK_FILE = 'lock';

export interface LockInfo {
  pid: number;
  host: string;
  nonce: string;
  since: string;
}

/** Directories this process holds, by resolved path: the lock file alone cannot tell us from a stale owner with our pid. */
const heldHere = new Set<string>();

/**
 * Takes DIR/lock, created exclusively. A lock whose owner is gone (a crash or kill -9) is taken
 * over: its pid no longer runs, or is our own pid (a container restarted with the same pid
 * numbering). A lock held by a live process refuses with a clear message.
 */
export async function acquireLock(dir: string): Promise<LockInfo> {
  const path = join(dir, LOCK_FILE);
  const mine: LockInfo = { pid: process.pid, host: hostname(), nonce: randomBytes(12).toString('hex'), since: new Date().toISOString() };
  if (heldHere.has(dir)) throw lockedError(dir, { ...mine, nonce: '' }, true);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o600);
      try {
        await fh.writeFile(JSON.stringify(mine));
        await fh.sync();
      } finally {
        await fh.close();
      }
      heldHere.add(dir);
      return mine;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = await readLock(path);
    if (holder && isAlive(holder.pid)) throw lockedError(dir, holder, false);
    // Stale (its owner is gone) or half-written (its writer died first): remove it and try again.
    // Only if it is still the same file: another starter may have just replaced it.
    const again = await readLock(path);
    if (again?.nonce !== holder?.nonce) continue;
    await rm(path, { force: true });
  }
  const holder = await readLock(path);
  throw lockedError(dir, holder ?? { ...mine, pid: 0 }, false);
}

function lockedError(dir: string, holder: LockInfo, here: boolean): DurableStoreError {
  const who = here ? 'this process' : `process ${holder.pid} on ${holder.host} (since ${holder.since})`;
  return new DurableStoreError(
    'LOCKED',
    `The data directory ${dir} is in use by another kms-emulator: ${who} holds ${join(dir, LOCK_FILE)}. Stop that server or choose another --data-dir.`,
  );
}

async function readLock(path: string): Promise<LockInfo | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LockInfo>;
    if (typeof parsed.pid !== 'number' || typeof parsed.nonce !== 'string') return undefined;
    return { pid: parsed.pid, host: String(parsed.host ?? ''), nonce: parsed.nonce, since: String(parsed.since ?? '') };
  } catch {
    return undefined; // unreadable or half-written: its writer died before finishing
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function releaseLock(dir: string, lock: LockInfo): Promise<void> {
  heldHere.delete(dir);
  const path = join(dir, LOCK_FILE);
  const holder = await readLock(path);
  if (holder?.nonce === lock.nonce) await rm(path, { force: true });
}
