/**
 * The sandbox page's state: the emulator in this tab, the chosen dialect and region, the call log
 * and the forms' values, with the helpers every panel shares. One `render` re-draws the page; main.ts
 * installs it, so panels and actions can ask for a re-draw without importing the page.
 */
import { isKmsError, type CallContext, type KeyInfo, type Kms, type ManualClock } from '../index.js';
import type { ActionForm, CallResult, DialectAdapter } from './adapters/index.js';
import * as persist from './persist.js';

/** One entry of the call log: a call, a clock move, or a snapshot import. */
export interface LogEntry {
  id: number;
  /** Emulated time of the entry. */
  at: number;
  dialect: string;
  region: string;
  kind: 'call' | 'clock' | 'note';
  title: string;
  keyId?: string;
  result?: CallResult;
  /** Audit records of a clock move (service events). */
  audit?: unknown[];
  summary?: Array<[string, string]>;
}

export const MAX_LOG = 60;
export const TRAIL_SHOWN = 200;
export const CLOCK_STEPS = ['1h', '1d', '7d', '30d'] as const;

export interface App {
  kms: Kms<ManualClock>;
  adapter: DialectAdapter;
  region: string;
  selectedKey: string | undefined;
  log: LogEntry[];
  nextId: number;
  /** Form values by form key (`<key id or "new">:<form id>`), then field. */
  values: Map<string, Record<string, string>>;
  /** The log entry each form's last call made. */
  lastResult: Map<string, number>;
  busy: Set<string>;
  view: 'calls' | 'trail';
  indent: boolean;
  banner: string | undefined;
  clockInput: string;
  clockError: string | undefined;
}

export let app: App;

export function setApp(next: App): void {
  app = next;
}

let renderer: () => void = () => undefined;

/** Installs the function that re-draws the whole page. */
export function setRenderer(draw: () => void): void {
  renderer = draw;
}

/** Re-draws the whole page from `app`. */
export function render(): void {
  renderer();
}

export function context(): CallContext {
  const account = app.adapter.account(app.kms);
  return { realm: { account, region: app.region }, principal: { account, type: 'root', id: account }, requestId: 'sandbox-view' };
}

export function keys(): KeyInfo[] {
  return [...app.kms.engine.listKeys(context(), { limit: 1000 }).items];
}

export function selectedKey(): KeyInfo | undefined {
  return app.selectedKey ? app.kms.engine.findKey(context(), { keyId: app.selectedKey }) : undefined;
}

export function messageOf(e: unknown): string {
  if (isKmsError(e)) return e.message;
  return e instanceof Error ? e.message : String(e);
}

export async function save(): Promise<void> {
  try {
    await persist.save({
      settings: { dialect: app.adapter.id, region: app.region, now: app.kms.clock.now(), ...(app.selectedKey ? { selectedKey: app.selectedKey } : {}) },
      snapshot: app.kms.snapshot(),
      calls: app.log,
    });
  } catch (e) {
    app.banner = `Could not save to this browser's storage: ${messageOf(e)}`;
  }
}

export function addLog(entry: Omit<LogEntry, 'id' | 'at' | 'dialect' | 'region'>): LogEntry {
  const full: LogEntry = { id: app.nextId++, at: app.kms.clock.now(), dialect: app.adapter.id, region: app.region, ...entry };
  app.log.unshift(full);
  if (app.log.length > MAX_LOG) app.log.length = MAX_LOG;
  return full;
}

/** Forms keep their values per dialect and key: AWS's KeySpec means nothing to Huawei's create-key. */
export function formKey(keyId: string | undefined, form: ActionForm | string): string {
  return `${app.adapter.id}:${keyId ?? 'new'}:${typeof form === 'string' ? form : form.id}`;
}

export function valuesOf(key: string, form: ActionForm): Record<string, string> {
  let values = app.values.get(key);
  if (!values) {
    values = {};
    app.values.set(key, values);
  }
  for (const f of form.fields) {
    if (values[f.name] === undefined) values[f.name] = f.value ?? (f.kind === 'select' ? (f.options?.[0] ?? '') : '');
    // A select always holds one of its options (the options may have changed with another field).
    const options = f.dependsOn ? f.dependsOn.options(values[f.dependsOn.field] ?? '') : f.kind === 'select' ? (f.options ?? []) : undefined;
    if (options && !options.includes(values[f.name]!)) values[f.name] = options[0] ?? '';
  }
  return values;
}
