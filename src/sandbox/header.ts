/** The top of the page: dialect and region pickers, the banner, the clock and the snapshot buttons. */
import { ADAPTERS, adapterFor } from './adapters/index.js';
import { advance, exportSnapshot, importSnapshot, reset } from './actions.js';
import { h } from './dom.js';
import { labelled } from './forms.js';
import { relative, short, utc } from './format.js';
import { app, CLOCK_STEPS, keys, render, save } from './state.js';

export function header(): HTMLElement {
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

export function toolbar(): HTMLElement {
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
