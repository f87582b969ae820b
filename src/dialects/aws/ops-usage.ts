/** AWS GetKeyLastUsage: the last successful cryptographic use of a key (engine: usage.ts). */
import { secs } from './metadata.js';
import { type Handler, keyRef } from './call.js';
import { SHAPES } from './model.generated.js';

/** The operations whose success counts as a use of their keys: the model's KeyLastUsageTrackingOperation. */
const TRACKED = new Set<string>((SHAPES.KeyLastUsageTrackingOperation as { enum?: readonly string[] } | undefined)?.enum ?? []);

/** Whether a successful call of `operation` is a use of the keys it names (ReEncrypt: both). */
export function isTrackedUse(operation: string): boolean {
  return TRACKED.has(operation);
}

export const getKeyLastUsage: Handler = (call) => {
  // Alias names are refused before this (the model's KeyId documentation; see keyIdAcceptsAlias).
  const usage = call.engine.keyLastUsage(call.ctx, keyRef(call, call.input.KeyId));
  call.trail.resources.push(usage.key);
  const last = usage.lastUse;
  return {
    // "The globally unique identifier for the KMS key": the key id, as KeyMetadata.KeyId.
    KeyId: usage.key.id,
    ...(last
      ? {
          KeyLastUsage: {
            Operation: last.action,
            Timestamp: secs(last.time),
            CloudTrailEventId: last.eventId,
            ...(last.requestId !== undefined ? { KmsRequestId: last.requestId } : {}),
          },
        }
      : {}),
    TrackingStartDate: secs(usage.trackingStart),
    KeyCreationDate: secs(usage.key.createdAt),
  };
};
