/**
 * The faults endpoints of the control API:
 *
 *   GET    /_kms/faults            {faults: [...]}
 *   POST   /_kms/faults            a fault spec (src/faults.ts) → 201 {fault}
 *   DELETE /_kms/faults            removes every fault → {removed: n}
 *   DELETE /_kms/faults?id=fault-1 removes one (404 when there is no such fault)
 */
import { FaultSpecError, type FaultInjector, type FaultSpec } from '../faults.js';
import { ControlError, controlJson, type ControlRoutes } from './control.js';

export function faultRoutes(faults: FaultInjector): ControlRoutes {
  return {
    faults: {
      GET: () => controlJson(200, { faults: faults.list() }),
      POST: (_request, body) => {
        if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
          throw new ControlError(400, 'InvalidFault', 'The body must be a fault: {"provider": "aws", "operation": "Encrypt", "count": 2, "error": "throttling"}.');
        }
        try {
          return controlJson(201, { fault: faults.add(body as FaultSpec) });
        } catch (e) {
          if (e instanceof FaultSpecError) throw new ControlError(400, 'InvalidFault', e.message);
          throw e;
        }
      },
      DELETE: (request) => {
        const id = new URLSearchParams(request.query).get('id');
        if (id === null) return controlJson(200, { removed: faults.clear() });
        if (!faults.remove(id)) throw new ControlError(404, 'NoSuchFault', `No fault ${id}.`);
        return controlJson(200, { removed: 1 });
      },
    },
  };
}
