/**
 * The key-state diagram: the provider's states, the transitions between them, and which of those
 * the engine's key-state table (lifecycleTable()) allows from the key's current state. The table
 * says where an operation is allowed; where it leads is below (the table does not hold targets).
 */
import { lifecycleTable, type KeyState, type LifecycleOperation, type Outcome } from '../engine/index.js';
import type { DialectAdapter } from './adapters/index.js';

/** 'Deleted' is not a key state: the key is gone. */
export type DiagramState = KeyState | 'Deleted';

interface Transition {
  operation: LifecycleOperation | 'deletionDue';
  to: DiagramState;
  /** Restricts the table's allowed states (importing into an enabled key leaves it enabled). */
  from?: readonly KeyState[];
}

const TRANSITIONS: readonly Transition[] = [
  { operation: 'enableKey', to: 'Enabled' },
  { operation: 'disableKey', to: 'Disabled' },
  { operation: 'scheduleDeletion', to: 'PendingDeletion' },
  { operation: 'cancelDeletion', to: 'Disabled' },
  { operation: 'importKeyMaterial', to: 'Enabled', from: ['PendingImport'] },
  { operation: 'archiveKey', to: 'Archived' },
  { operation: 'cancelArchive', to: 'Enabled' },
  { operation: 'deletionDue', to: 'Deleted', from: ['PendingDeletion'] },
];

/** Box positions in a 520 × 196 drawing (compact: it stays legible at 390 px wide). */
const POSITION: Partial<Record<DiagramState, { x: number; y: number }>> = {
  PendingImport: { x: 2, y: 8 },
  Enabled: { x: 185, y: 8 },
  Disabled: { x: 368, y: 8 },
  Archived: { x: 2, y: 84 },
  PendingDeletion: { x: 185, y: 84 },
  Unavailable: { x: 368, y: 84 },
  Deleted: { x: 185, y: 158 },
};
const W = 150;
const H = 32;

export interface Edge {
  from: KeyState;
  to: DiagramState;
  /** The provider's action, or 'deletion window ends'. */
  label: string;
}

/** The table, by operation. */
const TABLE: ReadonlyMap<string, Record<string, Outcome>> = new Map(lifecycleTable().map((row) => [row.operation, row.outcomes]));

function allowed(operation: string, state: KeyState): boolean {
  return TABLE.get(operation)?.[state] === 'ok';
}

/** Every transition the provider has between the states it shows. */
export function edges(adapter: DialectAdapter): Edge[] {
  const out: Edge[] = [];
  for (const t of TRANSITIONS) {
    const label = t.operation === 'deletionDue' ? 'waiting period ends' : adapter.lifecycleActions[t.operation];
    if (label === undefined) continue;
    if (t.to !== 'Deleted' && !adapter.states.includes(t.to)) continue;
    for (const from of adapter.states) {
      if (from === t.to || (t.from && !t.from.includes(from))) continue;
      if (t.operation !== 'deletionDue' && !allowed(t.operation, from)) continue;
      out.push({ from, to: t.to, label });
    }
  }
  return out;
}

/** What the table says about the key's state: the provider's actions allowed and refused. */
export function operationsIn(adapter: DialectAdapter, state: KeyState): { allowed: string[]; refused: Array<[action: string, outcome: Outcome]> } {
  const result = { allowed: [] as string[], refused: [] as Array<[string, Outcome]> };
  for (const [operation, action] of Object.entries(adapter.lifecycleActions)) {
    const outcome = TABLE.get(operation)?.[state];
    if (outcome === undefined || action === undefined) continue;
    if (outcome === 'ok') result.allowed.push(action);
    else result.refused.push([action, outcome]);
  }
  return result;
}

const SVG = 'http://www.w3.org/2000/svg';

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The point where the line from a box's centre towards (tx, ty) leaves the box. */
function border(x: number, y: number, tx: number, ty: number): [number, number] {
  const cx = x + W / 2;
  const cy = y + H / 2;
  const dx = tx - cx;
  const dy = ty - cy;
  const scale = Math.min(dx === 0 ? Infinity : W / 2 / Math.abs(dx), dy === 0 ? Infinity : H / 2 / Math.abs(dy));
  return [cx + dx * scale, cy + dy * scale];
}

/**
 * Draws the diagram. `current` is the key's state ('Deleted' once the key is gone); transitions
 * leaving it are drawn strong, the others faint (the caption names them: see `edges`).
 */
export function drawDiagram(adapter: DialectAdapter, current: DiagramState): SVGSVGElement {
  const svg = el('svg', { viewBox: '0 0 520 196', class: 'diagram', role: 'img' }) as SVGSVGElement;
  svg.setAttribute('aria-label', `Key state diagram; current state ${current === 'Deleted' ? 'deleted' : adapter.stateName(current)}`);
  const defs = el('defs', {});
  for (const [id, cls] of [['arrow', 'arrow'], ['arrow-live', 'arrow live']] as const) {
    const marker = el('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    marker.appendChild(el('path', { d: 'M0,0 L10,5 L0,10 z', class: cls }));
    defs.appendChild(marker);
  }
  svg.appendChild(defs);

  const list = edges(adapter);
  const pairs = new Set(list.map((e) => `${e.from}>${e.to}`));
  for (const e of list) {
    const a = POSITION[e.from];
    const b = POSITION[e.to];
    if (!a || !b) continue;
    // Two-way pairs are drawn as two parallel lines, offset to either side.
    const twoWay = pairs.has(`${e.to}>${e.from}`);
    const horizontal = Math.abs(a.y - b.y) < 1;
    const offset = twoWay ? (e.from < e.to ? -6 : 6) : 0;
    const [x1, y1] = border(a.x, a.y, b.x + W / 2, b.y + H / 2);
    const [x2, y2] = border(b.x, b.y, a.x + W / 2, a.y + H / 2);
    const ox = horizontal ? 0 : offset;
    const oy = horizontal ? offset : 0;
    const live = e.from === current;
    svg.appendChild(el('line', { x1: x1 + ox, y1: y1 + oy, x2: x2 + ox, y2: y2 + oy, class: live ? 'edge live' : 'edge', 'marker-end': live ? 'url(#arrow-live)' : 'url(#arrow)' }));
  }
  const shown: DiagramState[] = [...adapter.states, 'Deleted'];
  for (const state of shown) {
    const p = POSITION[state];
    if (!p) continue;
    const cls = `node state-${state}${state === current ? ' current' : ''}`;
    const g = el('g', { class: cls });
    g.appendChild(el('rect', { x: p.x, y: p.y, width: W, height: H, rx: 5 }));
    g.appendChild(el('text', { x: p.x + W / 2, y: p.y + H / 2 + 4.5, 'text-anchor': 'middle' }, state === 'Deleted' ? 'deleted' : adapter.stateName(state)));
    svg.appendChild(g);
  }
  return svg;
}
