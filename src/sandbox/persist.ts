/**
 * The sandbox's state in the tab's IndexedDB: the engine snapshot, the settings (dialect, region,
 * the manual clock's time) and the recent calls. Nothing is sent anywhere. Where IndexedDB is
 * missing (some private modes), the page still works and simply forgets on reload.
 */

const DB_NAME = 'kms-emulator-sandbox';
const STORE = 'state';

export interface Settings {
  dialect: string;
  region: string;
  /** The manual clock, epoch ms. */
  now: number;
  selectedKey?: string;
}

export interface Saved {
  settings?: Settings;
  snapshot?: unknown;
  calls?: unknown;
}

function open(): Promise<IDBDatabase | undefined> {
  return new Promise((resolve) => {
    if (typeof indexedDB === 'undefined') return resolve(undefined);
    let request: IDBOpenDBRequest;
    try {
      request = indexedDB.open(DB_NAME, 1);
    } catch {
      return resolve(undefined);
    }
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => resolve(undefined);
    request.onblocked = () => resolve(undefined);
  });
}

let db: Promise<IDBDatabase | undefined> | undefined;
function database(): Promise<IDBDatabase | undefined> {
  db ??= open();
  return db;
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB write aborted'));
  });
}

export async function load(): Promise<Saved> {
  const handle = await database();
  if (!handle) return {};
  const tx = handle.transaction(STORE, 'readonly');
  const store = tx.objectStore(STORE);
  const get = (key: string) =>
    new Promise<unknown>((resolve) => {
      const r = store.get(key);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => resolve(undefined);
    });
  const [settings, snapshot, calls] = await Promise.all([get('settings'), get('snapshot'), get('calls')]);
  return {
    ...(settings !== undefined ? { settings: settings as Settings } : {}),
    ...(snapshot !== undefined ? { snapshot } : {}),
    ...(calls !== undefined ? { calls } : {}),
  };
}

/** Writes the given parts in one transaction. */
export async function save(parts: Saved): Promise<void> {
  const handle = await database();
  if (!handle) return;
  const tx = handle.transaction(STORE, 'readwrite');
  const store = tx.objectStore(STORE);
  for (const [k, v] of Object.entries(parts)) if (v !== undefined) store.put(v, k);
  await done(tx);
}

export async function clear(): Promise<void> {
  const handle = await database();
  if (!handle) return;
  const tx = handle.transaction(STORE, 'readwrite');
  tx.objectStore(STORE).clear();
  await done(tx);
}
