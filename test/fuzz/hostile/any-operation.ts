/**
 * Requests for every operation each dialect implements (not only the ones the model follows):
 * each member the provider's API model names, with a plain value of its type, and key-id members
 * naming a victim key (never one whose ciphertexts are checked). Hostile changes go on top.
 */
import { OPERATIONS as AWS_OPERATIONS, SHAPES } from '../../../src/dialects/aws/model.generated.js';
import { HANDLERS as AWS_HANDLERS } from '../../../src/dialects/aws/operations.js';
import { MODELS, OPERATIONS as HUAWEI_OPERATIONS } from '../../../src/dialects/huawei/model.generated.js';
import { HANDLERS as HUAWEI_HANDLERS } from '../../../src/dialects/huawei/operations.js';
import { ACTIONS } from '../../../src/dialects/tencent/model.generated.js';
import { HANDLERS as TENCENT_HANDLERS } from '../../../src/dialects/tencent/operations.js';
import { type Draft, json, type Member, type Model } from './model.js';
import { HUAWEI_PROJECT } from './server.js';
import type { ProtocolName } from './wire.js';

/** Operation names a hostile client may send: the prototype's own. */
const PROTOTYPE_OPERATIONS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

const NAMES: Record<ProtocolName, string[]> = {
  aws: [...Object.keys(AWS_HANDLERS).sort(), ...PROTOTYPE_OPERATIONS],
  tencent: [...Object.keys(TENCENT_HANDLERS).sort(), ...PROTOTYPE_OPERATIONS],
  // Version discovery (GET / with Accept: application/json) is not a KMS route: left to the Huawei tests.
  huawei: [...Object.keys(HUAWEI_HANDLERS).filter((v) => Object.hasOwn(HUAWEI_OPERATIONS, v) && HUAWEI_OPERATIONS[v]!.path.includes('{project_id}')).sort(), ...PROTOTYPE_OPERATIONS],
};

const KEY_MEMBER = /^(KeyId|TargetKeyId|DestinationKeyId|SourceKeyId|key_id)$/;

/** A plain value of a type: what a careless but well-meaning client would send. */
function plain(type: string, n: number): string {
  switch (type) {
    case 'integer':
    case 'long':
    case 'int64':
    case 'uint64':
      return String(n % 3);
    case 'boolean':
    case 'bool':
      return n % 2 ? 'true' : 'false';
    case 'blob':
      return json('YWJjZA==');
    case 'list':
      return '[]';
    case 'map':
    case 'structure':
    case 'object':
      return '{}';
    case 'timestamp':
      return '1796539000';
    default:
      return json(n % 2 ? 'x' : '');
  }
}

/** A request for operation `n` (modulo the dialect's operations) of `protocol`. */
export function anyOperation(model: Model, protocol: ProtocolName, n: number, seq: number): Draft {
  const names = NAMES[protocol];
  const op = names[n % names.length]!;
  const victim = model.pick(protocol, 'victim', seq);
  const members: Member[] = [];
  const add = (name: string, type: string, i: number) => {
    if (KEY_MEMBER.test(name)) members.push([name, json(victim?.id ?? '0d0466b0-e727-4d9c-b35d-f84bb474a37f')]);
    else if ((seq + i) % 3 !== 0) members.push([name, plain(type, seq + i)]);
  };
  let path = '/';
  let method: Draft['method'];
  if (PROTOTYPE_OPERATIONS.includes(op)) {
    if (protocol === 'huawei') path = `/v1.0/${HUAWEI_PROJECT}/kms/${op}`;
  } else if (protocol === 'aws') {
    const input = SHAPES[AWS_OPERATIONS[op]!.input];
    const fields = input?.type === 'structure' ? Object.entries(input.members) : [];
    fields.forEach(([name, m], i) => add(name, SHAPES[m.target]?.type ?? 'string', i));
  } else if (protocol === 'tencent') {
    (ACTIONS[op]?.request ?? []).forEach((f, i) => add(f.name, f.list ? 'list' : (f.type in { string: 1, int64: 1, uint64: 1, bool: 1 } ? f.type : 'object'), i));
  } else {
    const operation = HUAWEI_OPERATIONS[op]!;
    const body = operation.body ? MODELS[operation.body] : undefined;
    Object.entries(body ?? {}).forEach(([name, f], i) => add(name, f.type, i));
    path = operation.path.replace('{project_id}', HUAWEI_PROJECT).replace(/\{([a-z_]+)\}/g, (_m, p: string) => (p === 'key_id' ? (victim?.id ?? '0d0466b0-e727-4d9c-b35d-f84bb474a37f') : 'x'));
    if (operation.method !== 'POST') method = operation.method as Draft['method'];
  }
  return { op, path, ...(method ? { method } : {}), members, mutating: true, ...(victim ? { key: victim } : {}), effect: () => victim && (victim.uncertain = true) };
}
