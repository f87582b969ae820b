/**
 * The browser crypto sandbox: the emulator's engine running in this tab, presented in a provider's
 * dialect. Every call goes through the dialect's own wire handler and audit renderer; state lives in
 * the tab's IndexedDB. Nothing is sent anywhere (the page's Content-Security-Policy forbids it).
 */
import { createKms, isKmsError, ManualClock, type CallContext, type KeyInfo, type Kms } from '../index.js';
import { ADAPTERS, adapterFor, PrepareError, type ActionForm, type CallResult, type DialectAdapter, type Field, type HttpMessage } from './adapters/index.js';
import { drawDiagram, edges, operationsIn, type DiagramState } from './diagram.js';
import { domId, h, type Child } from './dom.js';
import * as persist from './persist.js';

/** One entry of the call log: a call, a clock move, or a snapshot import. */
interface LogEntry {
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

const MAX_LOG = 60;
const TRAIL_SHOWN = 200;
const CLOCK_STEPS = ['1h', '1d', '7d', '30d'] as const;

interface App {
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

let app: App;
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
  const kms = createKms({ clock });
  const adapter = adapterFor(settings?.dialect);
  app = {
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
  };
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

// ------------------------------------------------------------------ state helpers

function context(): CallContext {
  const account = app.adapter.account(app.kms);
  return { realm: { account, region: app.region }, principal: { account, type: 'root', id: account }, requestId: 'sandbox-view' };
}

function keys(): KeyInfo[] {
  return [...app.kms.engine.listKeys(context(), { limit: 1000 }).items];
}

function selectedKey(): KeyInfo | undefined {
  return app.selectedKey ? app.kms.engine.findKey(context(), { keyId: app.selectedKey }) : undefined;
}

function messageOf(e: unknown): string {
  if (isKmsError(e)) return e.message;
  return e instanceof Error ? e.message : String(e);
}

async function save(): Promise<void> {
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

function addLog(entry: Omit<LogEntry, 'id' | 'at' | 'dialect' | 'region'>): LogEntry {
  const full: LogEntry = { id: app.nextId++, at: app.kms.clock.now(), dialect: app.adapter.id, region: app.region, ...entry };
  app.log.unshift(full);
  if (app.log.length > MAX_LOG) app.log.length = MAX_LOG;
  return full;
}

/** Forms keep their values per dialect and key: AWS's KeySpec means nothing to Huawei's create-key. */
function formKey(keyId: string | undefined, form: ActionForm | string): string {
  return `${app.adapter.id}:${keyId ?? 'new'}:${typeof form === 'string' ? form : form.id}`;
}

function valuesOf(key: string, form: ActionForm): Record<string, string> {
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

// ------------------------------------------------------------------ actions

/** Runs one form's action through the dialect; the page never throws past here. */
async function run(form: ActionForm, keyId: string | undefined): Promise<void> {
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
async function advance(duration: string): Promise<void> {
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

function exportSnapshot(): void {
  const text = JSON.stringify(app.kms.snapshot(), null, 2);
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = h('a', { href: url, download: `kms-sandbox-${new Date(app.kms.clock.now()).toISOString().replace(/[:.]/g, '-')}.json` });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function importSnapshot(file: File): Promise<void> {
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

async function reset(): Promise<void> {
  if (!window.confirm('Delete every key, the audit trail and the call log in this tab?')) return;
  await persist.clear().catch(() => undefined);
  app.kms = createKms({ clock: new ManualClock(Date.now()) });
  app.log = [];
  app.values.clear();
  app.lastResult.clear();
  app.selectedKey = undefined;
  app.banner = undefined;
  await save();
  render();
}

// ------------------------------------------------------------------ rendering

function render(): void {
  const focused = document.activeElement?.id;
  root.replaceChildren(header(), toolbar(), h('main', { class: 'grid' }, keysPanel(), keyPanel(), logPanel()));
  if (focused) document.getElementById(focused)?.focus();
}

function header(): HTMLElement {
  return h(
    'header',
    { class: 'top' },
    h(
      'div',
      { class: 'brand' },
      h('h1', {}, 'KMS sandbox'),
      h('p', { class: 'tagline' }, 'Runs entirely in this tab: the emulator engine, its keys and its audit trail live in this page and its IndexedDB. Nothing is sent anywhere.'),
    ),
    h(
      'div',
      { class: 'pickers' },
      labelled(
        'dialect',
        'Dialect',
        h(
          'select',
          {
            id: 'dialect',
            onchange: (e: Event) => {
              app.adapter = adapterFor((e.target as HTMLSelectElement).value);
              if (!app.adapter.regions.includes(app.region)) app.region = app.adapter.regions[0]!;
              void save().then(render);
            },
          },
          ADAPTERS.map((a) => h('option', { value: a.id, selected: a.id === app.adapter.id }, a.label)),
        ),
      ),
      labelled(
        'region',
        'Region',
        h(
          'select',
          {
            id: 'region',
            onchange: (e: Event) => {
              app.region = (e.target as HTMLSelectElement).value;
              void save().then(render);
            },
          },
          app.adapter.regions.map((r) => h('option', { value: r, selected: r === app.region }, r)),
        ),
      ),
    ),
    app.banner
      ? h('div', { class: 'banner', role: 'alert' }, h('span', {}, app.banner), h('button', { type: 'button', id: 'dismiss-banner', onclick: () => ((app.banner = undefined), render()) }, 'Dismiss'))
      : null,
  );
}

function labelled(id: string, label: string, control: HTMLElement, hint?: string): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('small', {}, hint) : null);
}

function toolbar(): HTMLElement {
  const now = app.kms.clock.now();
  const due = upcoming();
  return h(
    'section',
    { class: 'toolbar', 'aria-label': 'Clock and snapshot' },
    h(
      'div',
      { class: 'clock' },
      h('div', { class: 'now' }, h('span', { class: 'caption' }, 'Emulated time'), h('time', { id: 'clock-now', datetime: new Date(now).toISOString() }, utc(now))),
      h(
        'div',
        { class: 'steps', role: 'group', 'aria-label': 'Advance the clock' },
        CLOCK_STEPS.map((step) => h('button', { type: 'button', id: `advance-${step}`, onclick: () => void advance(step) }, `+${step.replace(/(\d+)/, '$1 ')}`)),
        h(
          'form',
          {
            class: 'custom',
            onsubmit: (e: Event) => {
              e.preventDefault();
              if (app.clockInput.trim()) void advance(app.clockInput.trim());
            },
          },
          h('label', { for: 'advance-custom', class: 'sr-only' }, 'Advance by a duration'),
          h('input', {
            id: 'advance-custom',
            value: app.clockInput,
            placeholder: '3d12h',
            size: 7,
            oninput: (e: Event) => (app.clockInput = (e.target as HTMLInputElement).value),
            'aria-describedby': app.clockError ? 'clock-error' : undefined,
          }),
          h('button', { type: 'submit', id: 'advance-go' }, 'Advance'),
        ),
      ),
      app.clockError ? h('p', { class: 'inline-error', id: 'clock-error', role: 'alert' }, app.clockError) : null,
      h(
        'p',
        { class: 'due' },
        due.length === 0 ? 'Nothing scheduled.' : ['Next: ', due.slice(0, 2).map((d, i) => [i ? '; ' : '', h('span', { class: 'mono' }, short(d.keyId)), ` ${d.what} ${relative(d.at - now)}`])],
      ),
    ),
    h(
      'div',
      { class: 'snapshot' },
      h('span', { class: 'caption' }, 'Whole state'),
      h('button', { type: 'button', id: 'export-snapshot', onclick: exportSnapshot }, 'Export snapshot'),
      h('label', { class: 'button', for: 'import-snapshot' }, 'Import snapshot'),
      h('input', {
        type: 'file',
        id: 'import-snapshot',
        class: 'file',
        accept: 'application/json,.json',
        onchange: (e: Event) => {
          const input = e.target as HTMLInputElement;
          const file = input.files?.[0];
          input.value = '';
          if (file) void importSnapshot(file);
        },
      }),
      h('button', { type: 'button', id: 'reset', class: 'quiet', onclick: () => void reset() }, 'Reset'),
    ),
  );
}

function upcoming(): Array<{ keyId: string; what: string; at: number }> {
  const list: Array<{ keyId: string; what: string; at: number }> = [];
  for (const k of keys()) {
    if (k.state === 'PendingDeletion' && k.deletionDate !== undefined) list.push({ keyId: k.id, what: 'is deleted', at: k.deletionDate });
    if (k.rotation.enabled && k.rotation.nextRotation !== undefined) list.push({ keyId: k.id, what: 'rotates', at: k.rotation.nextRotation });
  }
  return list.sort((a, b) => a.at - b.at);
}

function keysPanel(): HTMLElement {
  const list = keys();
  const create = app.adapter.createForm(app.region);
  return h(
    'section',
    { class: 'panel keys', 'aria-labelledby': 'keys-title' },
    h('h2', { id: 'keys-title' }, 'Keys ', h('span', { class: 'count' }, `${list.length} in ${app.region}`)),
    formView(create, undefined),
    list.length === 0
      ? h('p', { class: 'empty' }, 'No keys in this region yet. Create one above.')
      : h(
          'ul',
          { class: 'key-list', 'aria-label': 'Keys' },
          list.map((k) =>
            h(
              'li',
              {},
              h(
                'button',
                {
                  type: 'button',
                  id: domId('key', k.id),
                  class: 'key-item',
                  'aria-current': k.id === app.selectedKey ? 'true' : undefined,
                  onclick: () => {
                    app.selectedKey = k.id;
                    void save();
                    render();
                  },
                },
                h('span', { class: 'mono key-id' }, k.id),
                h('span', { class: 'key-meta' }, h('span', { class: `badge state-${k.state}` }, app.adapter.stateName(k.state)), h('span', {}, app.adapter.specName(k)), k.description ? h('span', { class: 'desc' }, k.description) : null),
              ),
            ),
          ),
        ),
  );
}

function keyPanel(): HTMLElement {
  const key = selectedKey();
  if (!key) {
    const gone = app.selectedKey !== undefined && app.kms.engine.findKey(context(), { keyId: app.selectedKey }) === undefined;
    return h(
      'section',
      { class: 'panel key', 'aria-labelledby': 'key-title' },
      h('h2', { id: 'key-title' }, gone ? 'Key deleted' : 'No key selected'),
      gone ? h('p', { class: 'mono' }, app.selectedKey!) : null,
      gone ? diagramView(undefined, 'Deleted') : h('p', { class: 'empty' }, 'Create or pick a key to see its state, its metadata and what it can do.'),
      gone ? h('p', {}, 'Its waiting period ended and the key and its material are gone: ciphertexts under it can never be decrypted again.') : null,
    );
  }
  const forms = app.adapter.keyForms(app.kms, key);
  const group = (name: ActionForm['group'], title: string) => {
    const list = forms.filter((f) => f.group === name);
    return list.length === 0 ? null : h('div', { class: `form-group ${name}` }, h('h3', {}, title), h('div', { class: 'forms' }, list.map((f) => formView(f, key.id))));
  };
  return h(
    'section',
    { class: 'panel key', 'aria-labelledby': 'key-title' },
    h('h2', { id: 'key-title' }, h('span', {}, `${app.adapter.specName(key)} key `), h('span', { class: 'mono' }, key.id)),
    diagramView(key, key.state),
    group('crypto', 'Cryptography'),
    group('lifecycle', 'Lifecycle'),
    group('inspect', 'Inspect'),
    h('details', { class: 'metadata' }, h('summary', {}, `Metadata as ${app.adapter.label} shows it`), h('pre', { class: 'wire' }, JSON.stringify(app.adapter.metadata(app.kms, key), null, 2))),
  );
}

function diagramView(key: KeyInfo | undefined, state: DiagramState): HTMLElement {
  const ops = state === 'Deleted' ? undefined : operationsIn(app.adapter, state);
  const moves = edges(app.adapter).filter((e) => e.from === state);
  return h(
    'figure',
    { class: 'lifecycle' },
    drawDiagram(app.adapter, state),
    h(
      'figcaption',
      {},
      key
        ? [
            h('span', { class: `badge state-${state}` }, app.adapter.stateName(key.state)),
            key.deletionDate !== undefined ? ` deleted at ${utc(key.deletionDate)} (${relative(key.deletionDate - app.kms.clock.now())})` : '',
            key.rotation.enabled && key.rotation.nextRotation !== undefined ? ` · rotates ${relative(key.rotation.nextRotation - app.kms.clock.now())}` : '',
            ` · ${key.materials.length} key material version${key.materials.length === 1 ? '' : 's'}`,
          ]
        : null,
      key
        ? h(
            'p',
            { class: 'moves' },
            moves.length === 0 ? 'No transition leaves this state by an API call.' : ['From here: ', moves.map((m, i) => [i ? ' · ' : '', h('span', { class: 'move' }, h('strong', {}, m.label), ` → ${m.to === 'Deleted' ? 'deleted' : app.adapter.stateName(m.to)}`)])],
          )
        : null,
      ops
        ? h(
            'details',
            { class: 'table-row' },
            h('summary', {}, `In this state: ${ops.allowed.length} actions allowed, ${ops.refused.length} refused`),
            h('p', {}, h('strong', {}, 'Allowed: '), ops.allowed.join(', ') || '—'),
            h('p', {}, h('strong', {}, 'Refused: '), ops.refused.map(([a, o]) => `${a} (${o})`).join(', ') || '—'),
          )
        : null,
    ),
  );
}

function formView(form: ActionForm, keyId: string | undefined): HTMLElement {
  const key = formKey(keyId, form);
  const values = valuesOf(key, form);
  const busy = app.busy.has(key);
  const entryId = app.lastResult.get(key);
  const entry = entryId === undefined ? undefined : app.log.find((e) => e.id === entryId);
  return h(
    'form',
    {
      class: `action${form.fields.length === 0 ? ' bare' : ''}`,
      'data-form': form.id,
      'aria-label': form.action,
      onsubmit: (e: Event) => {
        e.preventDefault();
        void run(form, keyId);
      },
    },
    form.fields.map((f) => fieldView(key, form, f, values)),
    h(
      'div',
      { class: 'act' },
      h('button', { type: 'submit', id: domId('run', key), class: 'primary', disabled: busy, 'aria-busy': busy ? 'true' : undefined }, busy ? `${form.action}…` : form.action),
      h('span', { class: 'blurb' }, form.blurb),
    ),
    entry?.result ? resultView(entry) : entry?.kind === 'note' ? h('div', { class: 'outcome error', role: 'alert' }, h('span', {}, entry.title)) : null,
  );
}

function fieldView(key: string, form: ActionForm, f: Field, values: Record<string, string>): HTMLElement {
  const id = domId('f', key, f.name);
  const value = values[f.name] ?? '';
  const update = (e: Event) => {
    values[f.name] = (e.target as HTMLInputElement).value;
    // A select others follow re-renders them.
    if (form.fields.some((o) => o.dependsOn?.field === f.name)) render();
  };
  let control: HTMLElement;
  if (f.kind === 'select') {
    const options = f.dependsOn ? f.dependsOn.options(values[f.dependsOn.field] ?? '') : (f.options ?? []);
    control = h('select', { id, name: f.name, onchange: update }, options.map((o) => h('option', { value: o, selected: o === value }, o)));
  } else if (f.kind === 'textarea') {
    control = h('textarea', { id, name: f.name, rows: 2, placeholder: f.placeholder, spellcheck: 'false', oninput: update });
    (control as HTMLTextAreaElement).value = value;
  } else {
    control = h('input', { id, name: f.name, type: 'text', inputmode: f.kind === 'number' ? 'numeric' : undefined, value, placeholder: f.placeholder, spellcheck: 'false', autocomplete: 'off', oninput: update });
  }
  return labelled(id, f.label, control, f.hint);
}

function resultView(entry: LogEntry): HTMLElement {
  const r = entry.result!;
  if (!r.ok) {
    return h('div', { class: 'outcome error', role: 'alert' }, h('strong', { class: 'mono' }, r.error?.code ?? 'Error'), r.error?.message ? h('span', {}, r.error.message) : null);
  }
  return h(
    'div',
    { class: 'outcome ok', role: 'status' },
    entry.summary && entry.summary.length > 0 ? h('dl', {}, entry.summary.map(([k, v]) => [h('dt', {}, k), h('dd', { class: 'mono' }, v)])) : h('span', {}, `${r.action} succeeded.`),
  );
}

function logPanel(): HTMLElement {
  const tab = (view: App['view'], label: string) =>
    h(
      'button',
      {
        type: 'button',
        role: 'tab',
        id: `tab-${view}`,
        'aria-selected': app.view === view ? 'true' : 'false',
        'aria-controls': 'log-body',
        onclick: () => ((app.view = view), render()),
      },
      label,
    );
  return h(
    'section',
    { class: 'panel log', 'aria-labelledby': 'log-title' },
    h(
      'div',
      { class: 'log-head' },
      h('h2', { id: 'log-title' }, 'Wire and audit'),
      h('div', { role: 'tablist', 'aria-label': 'Log view' }, tab('calls', 'Calls'), tab('trail', app.adapter.auditLabel)),
      h(
        'label',
        { class: 'check' },
        h('input', { type: 'checkbox', id: 'indent', checked: app.indent, onchange: (e: Event) => ((app.indent = (e.target as HTMLInputElement).checked), render()) }),
        ' Indent JSON',
      ),
    ),
    h('div', { id: 'log-body', role: 'tabpanel', 'aria-labelledby': `tab-${app.view}` }, app.view === 'calls' ? callsView() : trailView()),
  );
}

function callsView(): Child {
  if (app.log.length === 0) return h('p', { class: 'empty' }, 'Each call appears here: the request and response as they travel on the wire, and the audit record it produced.');
  return h(
    'ol',
    { class: 'calls' },
    app.log.map((e, i) => h('li', {}, entryView(e, i === 0))),
  );
}

function entryView(e: LogEntry, open: boolean): HTMLElement {
  const adapter = adapterFor(e.dialect);
  const r = e.result;
  const status = r ? (r.ok ? h('span', { class: 'pill ok' }, r.response.startLine.split(' ').slice(1).join(' ')) : h('span', { class: 'pill error' }, r.error?.code ?? 'error')) : null;
  const records = r ? r.audit : (e.audit ?? []);
  return h(
    'details',
    { class: `entry ${e.kind}`, open, 'data-action': e.title },
    h('summary', {}, h('time', { class: 'mono' }, utc(e.at).slice(0, 19).replace('T', ' ')), h('strong', {}, e.title), status, e.kind === 'call' ? h('span', { class: 'dialect' }, `${adapter.label} · ${e.region}`) : null),
    r
      ? [
          r.error ? h('p', { class: 'outcome error' }, h('strong', { class: 'mono' }, r.error.code), ` ${r.error.message}`) : null,
          h('h4', {}, 'Request'),
          h('pre', { class: 'wire request' }, http(r.request)),
          h('h4', {}, 'Response'),
          h('pre', { class: 'wire response' }, http(r.response)),
        ]
      : null,
    e.kind === 'note' ? null : h('h4', {}, records.length === 0 ? `${adapter.auditLabel}: no record` : `${adapter.auditLabel} record${records.length === 1 ? '' : 's'}`),
    records.map((rec) => h('pre', { class: 'wire audit' }, JSON.stringify(rec, null, 2))),
  );
}

function http(m: HttpMessage): string {
  let body = m.body;
  if (app.indent) {
    try {
      body = JSON.stringify(JSON.parse(body), null, 2);
    } catch {
      // not JSON: shown as it is
    }
  }
  return `${m.startLine}\n${m.headers.map(([n, v]) => `${n}: ${v}`).join('\n')}\n\n${body}`;
}

function trailView(): Child {
  const records = app.adapter.auditTrail(app.kms).slice(-TRAIL_SHOWN).reverse();
  if (records.length === 0) return h('p', { class: 'empty' }, `No ${app.adapter.auditLabel} records yet.`);
  return h(
    'ol',
    { class: 'calls' },
    records.map((rec, i) => {
      const r = rec as Record<string, unknown>;
      const name = String(r.eventName ?? r.EventName ?? r.trace_name ?? 'event');
      const when = typeof r.time === 'number' ? utc(r.time) : typeof r.EventTime === 'string' && /^\d+$/.test(r.EventTime) ? utc(Number(r.EventTime) * 1000) : String(r.eventTime ?? r.EventTime ?? '');
      const failed = r.errorCode ?? (r.ErrorCode ? r.ErrorCode : undefined) ?? (r.trace_rating === 'warning' || r.trace_rating === 'incident' ? r.code : undefined) ?? auditErrorOf(r);
      return h(
        'li',
        {},
        h(
          'details',
          { class: 'entry', open: i === 0 },
          h('summary', {}, h('time', { class: 'mono' }, when.replace('T', ' ').replace('Z', '')), h('strong', {}, name), failed ? h('span', { class: 'pill error' }, String(failed)) : null, r.eventType === 'AwsServiceEvent' ? h('span', { class: 'pill service' }, 'service event') : null),
          h('pre', { class: 'wire audit' }, JSON.stringify(rec, null, 2)),
        ),
      );
    }),
  );
}

/** CloudAudit keeps the error inside its CloudAuditEvent JSON text. */
function auditErrorOf(record: Record<string, unknown>): string | undefined {
  if (typeof record.CloudAuditEvent !== 'string') return undefined;
  try {
    const inner = JSON.parse(record.CloudAuditEvent) as Record<string, unknown>;
    return typeof inner.errorCode === 'string' && inner.errorCode !== '' ? inner.errorCode : undefined;
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------ formatting

function utc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function short(id: string): string {
  return id.length > 13 ? `${id.slice(0, 8)}…` : id;
}

function relative(ms: number): string {
  const abs = Math.abs(ms);
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
  ];
  let text = '';
  let rest = abs;
  for (const [u, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0 && text.split(' ').length < 3) {
      text += `${text ? ' ' : ''}${n}${u}`;
      rest -= n * size;
    }
  }
  if (!text) text = 'now';
  return ms >= 0 ? (text === 'now' ? 'now' : `in ${text}`) : `${text} ago`;
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

void boot();
