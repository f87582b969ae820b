/** The errors of the durable store (store.ts), by code. */
export type DurableStoreErrorCode = 'LOCKED' | 'CORRUPT' | 'CLOSED' | 'FAILED';

export class DurableStoreError extends Error {
  override readonly name = 'DurableStoreError';
  constructor(
    readonly code: DurableStoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}
