/** One action's form: its fields, its button and the outcome of its last call. */
import type { ActionForm, Field } from './adapters/index.js';
import { run } from './actions.js';
import { domId, h } from './dom.js';
import { app, formKey, render, valuesOf, type LogEntry } from './state.js';

export function labelled(id: string, label: string, control: HTMLElement, hint?: string): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('small', {}, hint) : null);
}

export function formView(form: ActionForm, keyId: string | undefined): HTMLElement {
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
