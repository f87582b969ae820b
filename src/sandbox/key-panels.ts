/** The key list of the region, and the selected key: its lifecycle diagram, its forms, its metadata. */
import type { KeyInfo } from '../index.js';
import type { ActionForm } from './adapters/index.js';
import { drawDiagram, edges, operationsIn, type DiagramState } from './diagram.js';
import { domId, h } from './dom.js';
import { formView } from './forms.js';
import { relative, utc } from './format.js';
import { app, context, keys, render, save, selectedKey } from './state.js';

export function keysPanel(): HTMLElement {
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

export function keyPanel(): HTMLElement {
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
