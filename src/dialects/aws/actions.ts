import { isAction, type Action } from '../../engine/actions.js';

const known = new Map<string, Action | undefined>();

/**
 * The neutral action of an AWS operation: the operation's name with a small first letter when that
 * is an action (Encrypt → encrypt, GenerateDataKeyWithoutPlaintext → generateDataKeyWithoutPlaintext).
 * Operations without one (ReEncrypt acts on two keys, as reEncryptFrom and reEncryptTo) leave each
 * engine operation to authorize its own.
 */
export function actionOf(operation: string): Action | undefined {
  if (known.has(operation)) return known.get(operation);
  const name = operation.charAt(0).toLowerCase() + operation.slice(1);
  const action = isAction(name) ? name : undefined;
  if (known.size < 256) known.set(operation, action);
  return action;
}
