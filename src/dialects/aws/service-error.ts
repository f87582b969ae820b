import { ERRORS } from './model.generated.js';

/** An AWS KMS error as the service returns it: `__type` name, message, HTTP status. */
export class AwsServiceError extends Error {
  readonly __type: string;
  readonly httpStatusCode: number;
  readonly $fault: 'client' | 'server';

  constructor(
    readonly code: string,
    message: string | undefined,
  ) {
    super(message ?? '');
    this.name = code;
    this.__type = code;
    const modelled = ERRORS[code];
    this.$fault = modelled?.fault ?? 'client';
    // The service answers every client error with HTTP 400, whatever the model's httpError says.
    this.httpStatusCode = this.$fault === 'server' ? 500 : 400;
    this.wireMessage = message;
  }

  /** The message on the wire; some AWS errors carry none. */
  readonly wireMessage: string | undefined;

  toJSON(): { __type: string; message?: string } {
    return this.wireMessage === undefined ? { __type: this.__type } : { __type: this.__type, message: this.wireMessage };
  }
}

export const DRY_RUN_MESSAGE = 'The request would have succeeded, but the DryRun option is set.';
