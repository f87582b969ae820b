/** What the page's buttons do: run a form's action, move the clock, export, import and reset. */
import { createKms, ManualClock } from '../index.js';
import { kmsOptions, PrepareError, type ActionForm } from './adapters/index.js';
import { h } from './dom.js';
import * as persist from './persist.js';
import { addLog, app, formKey, messageOf, render, save, valuesOf } from './state.js';

/** Runs one form's action through the dialect; the page never throws past here. */
export async function run(form: ActionForm, keyId: string | undefined): Promise<void> {
  const key = formKey(keyId, form);
  if (app.busy.has(key)) return;
  app.busy.add(key);
  render();
  try {
    const values = { ...valuesOf(key, form) };
    let params: Record<string, unknown>;
    try {
      params = await form.params(values);
    } catch (e) {
      if (!(e instanceof PrepareError)) throw e;
      const note = addLog({ kind: 'note', title: `${form.action} not sent: ${e.message}`, ...(keyId ? { keyId } : {}) });
      app.lastResult.set(key, note.id);
      return;
    }
    const result = await app.adapter.call(app.kms, app.region, form.action, params);
    const entry = addLog({ kind: 'call', title: form.action, result, ...(keyId ? { keyId } : {}) });
    app.lastResult.set(key, entry.id);
    if (result.ok && result.output && form.outcome) {
      const outcome = form.outcome(result.output, values);
      entry.summary = outcome.summary;
      for (const [target, carried] of Object.entries(outcome.carry ?? {})) {
        const k = formKey(keyId, target);
        app.values.set(k, { ...(app.values.get(k) ?? {}), ...carried });
      }
    }
    const created = result.ok && result.output && form.id === 'create' ? app.adapter.createdKeyId(result.output) : undefined;
    if (created) app.selectedKey = created;
    await save();
  } catch (e) {
    app.banner = `Unexpected failure in the page (not a provider answer): ${messageOf(e)}`;
  } finally {
    app.busy.delete(key);
    render();
  }
}

/** Moves the manual clock; due deletions and rotations happen in the engine as it passes them. */
export async function advance(duration: string): Promise<void> {
  const from = app.kms.engine.audit.appended;
  try {
    app.kms.clock.advance(duration);
    app.clockError = undefined;
  } catch (e) {
    app.clockError = messageOf(e);
    render();
    return;
  }
  const audit = app.adapter.auditRecords(app.kms.engine.audit.since(from));
  addLog({ kind: 'clock', title: `Clock +${duration}`, audit });
  await save();
  render();
}

export function exportSnapshot(): void {
  const text = JSON.stringify(app.kms.snapshot(), null, 2);
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = h('a', { href: url, download: `kms-sandbox-${new Date(app.kms.clock.now()).toISOString().replace(/[:.]/g, '-')}.json` });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function importSnapshot(file: File): Promise<void> {
  let doc: unknown;
  try {
    doc = JSON.parse(await file.text());
  } catch {
    app.banner = `${file.name} is not JSON: nothing was changed.`;
    render();
    return;
  }
  try {
    const takenAt = (doc as { takenAt?: unknown } | null)?.takenAt;
    const before = app.kms.clock.now();
    // Restore first: a refused document changes nothing, the clock included.
    app.kms.restore(doc);
    if (typeof takenAt === 'number' && takenAt > before) app.kms.clock.set(takenAt);
    app.banner = undefined;
    addLog({ kind: 'note', title: `Snapshot ${file.name} imported` });
    await save();
  } catch (e) {
    app.banner = `Snapshot refused, nothing was changed: ${messageOf(e)}`;
  }
  render();
}

export async function reset(): Promise<void> {
  if (!window.confirm('Delete every key, the audit trail and the call log in this tab?')) return;
  await persist.clear().catch(() => undefined);
  const clock = new ManualClock(Date.now());
  app.kms = createKms({ clock, ...kmsOptions(clock) });
  app.log = [];
  app.values.clear();
  app.lastResult.clear();
  app.selectedKey = undefined;
  app.banner = undefined;
  await save();
  render();
}
