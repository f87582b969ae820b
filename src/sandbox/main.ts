/**
 * The browser crypto sandbox: the emulator's engine running in this tab, presented in a provider's
 * dialect. Every call goes through the dialect's own wire handler and audit renderer; state lives in
 * the tab's IndexedDB. Nothing is sent anywhere (the page's Content-Security-Policy forbids it).
 */
import { createKms, ManualClock } from '../index.js';
import { adapterFor, kmsOptions } from './adapters/index.js';
import { h } from './dom.js';
import { header, toolbar } from './header.js';
import { keyPanel, keysPanel } from './key-panels.js';
import { logPanel } from './log-panel.js';
import * as persist from './persist.js';
import { app, MAX_LOG, messageOf, render, setApp, setRenderer, type LogEntry } from './state.js';

const root = document.getElementById('app')!;

// ------------------------------------------------------------------ boot

async function boot(): Promise<void> {
  let saved: persist.Saved = {};
  try {
    saved = await persist.load();
  } catch {
    // unreadable storage: start afresh
  }
  const settings = saved.settings;
  const start = typeof settings?.now === 'number' && Number.isFinite(settings.now) ? settings.now : Date.now();
  const clock = new ManualClock(start);
  const kms = createKms({ clock, ...kmsOptions(clock) });
  const adapter = adapterFor(settings?.dialect);
  setApp({
    kms,
    adapter,
    region: settings && adapter.regions.includes(settings.region) ? settings.region : adapter.regions[0]!,
    selectedKey: settings?.selectedKey,
    log: Array.isArray(saved.calls) ? (saved.calls as LogEntry[]).slice(0, MAX_LOG) : [],
    nextId: 1,
    values: new Map(),
    lastResult: new Map(),
    busy: new Set(),
    view: 'calls',
    indent: false,
    banner: undefined,
    clockInput: '',
    clockError: undefined,
  });
  app.nextId = app.log.reduce((max, e) => Math.max(max, e.id + 1), 1);
  if (saved.snapshot !== undefined) {
    try {
      kms.restore(saved.snapshot);
    } catch (e) {
      app.banner = `The saved state could not be restored and was set aside: ${messageOf(e)}`;
    }
  }
  render();
}

function draw(): void {
  const focused = document.activeElement?.id;
  root.replaceChildren(header(), toolbar(), h('main', { class: 'grid' }, keysPanel(), keyPanel(), logPanel()));
  if (focused) document.getElementById(focused)?.focus();
}

// ------------------------------------------------------------------ never break

window.addEventListener('error', (e) => {
  if (!app) return;
  app.banner = `Unexpected failure in the page: ${e.message}`;
  render();
});
window.addEventListener('unhandledrejection', (e) => {
  if (!app) return;
  app.banner = `Unexpected failure in the page: ${messageOf(e.reason)}`;
  render();
});

setRenderer(draw);
void boot();
