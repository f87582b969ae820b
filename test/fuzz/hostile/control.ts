/**
 * Hostile requests to the control API (`/_kms/…`) — only routes whose valid forms change nothing
 * the fuzzer follows (no reset, no faults): a snapshot restore, a clock move (the server runs on
 * the system clock), health, the clock, unknown routes. With signatures on, they carry the admin's
 * HTTP Basic credential, so they reach the handlers.
 */
import { body, member } from './build.js';
import type { Spec } from './generators.js';
import { json, type Member } from './model.js';
import { ADMIN_KEYS } from './server.js';
import type { Answer, Verdict } from './wire.js';

const ROUTES: Array<{ method: string; path: string; members: Member[] }> = [
  { method: 'PUT', path: '/_kms/snapshot', members: [['format', json('kms-emulator/engine')], ['version', '2']] },
  { method: 'POST', path: '/_kms/clock/advance', members: [['by', json('8d')]] },
  { method: 'GET', path: '/_kms/health', members: [] },
  { method: 'GET', path: '/_kms/clock', members: [] },
  { method: 'POST', path: '/_kms/__proto__', members: [] },
  { method: 'POST', path: '/_kms/constructor', members: [] },
  { method: 'PUT', path: '/_kms/toString', members: [] },
];

export interface ControlRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Uint8Array;
  label: string;
  /** The route changes state when it succeeds (a snapshot restore, a clock move). */
  mutating: boolean;
}

export function controlRequest(spec: Spec, n: number, signed: boolean): ControlRequest {
  const route = ROUTES[n % ROUTES.length]!;
  let members = route.members;
  const labels: string[] = [];
  const v = spec.variant;
  if (v.kind === 'member') {
    const changed = member(members, v.value, v.target, v.index, v.duplicate);
    members = changed.members;
    labels.push(changed.label);
  }
  const b = body(spec, members);
  if (b.label) labels.push(b.label);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signed) headers.authorization = `Basic ${Buffer.from(`${ADMIN_KEYS.accessKeyId}:${ADMIN_KEYS.secretAccessKey}`).toString('base64')}`;
  return {
    method: route.method,
    path: route.path,
    headers,
    body: route.method === 'GET' ? new Uint8Array(0) : b.body,
    label: `control ${route.method} ${route.path}${labels.length ? `: ${labels.join('; ')}` : ''}`,
    mutating: route.method !== 'GET',
  };
}

/** A control answer: a read's 200, or `{"error":{"code","message"}}` with a 4xx; a hostile body is never restored or applied. */
export function judgeControl(request: ControlRequest, answer: Answer): Verdict {
  if (answer.transport) return { ok: false, code: 'TRANSPORT', body: undefined, unexpected: `connection failed: ${answer.transport}` };
  let parsed: any;
  try {
    parsed = answer.text === '' ? undefined : JSON.parse(answer.text);
  } catch {
    return { ok: false, code: 'NOT_JSON', body: undefined, unexpected: `HTTP ${answer.status} with a body that is not JSON: ${answer.text.slice(0, 200)}` };
  }
  if (answer.status === 200) {
    if (request.mutating) return { ok: true, code: 'OK', body: parsed, unexpected: `a hostile ${request.method} ${request.path} was applied: ${answer.text.slice(0, 200)}` };
    return { ok: true, code: 'OK', body: parsed };
  }
  const code = parsed?.error?.code;
  if (typeof code !== 'string' || typeof parsed.error.message !== 'string') return { ok: false, code: 'SHAPE', body: parsed, unexpected: `HTTP ${answer.status} not {"error":{"code","message"}}: ${answer.text.slice(0, 200)}` };
  if (answer.status < 400 || answer.status >= 500) return { ok: false, code, body: parsed, unexpected: `${code} with status ${answer.status}` };
  return { ok: false, code, body: parsed };
}
