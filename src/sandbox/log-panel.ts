/** The wire and audit panel: each call's request, response and audit records, or the whole audit trail. */
import { adapterFor, type HttpMessage } from './adapters/index.js';
import { h, type Child } from './dom.js';
import { utc } from './format.js';
import { app, render, TRAIL_SHOWN, type App, type LogEntry } from './state.js';

export function logPanel(): HTMLElement {
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
