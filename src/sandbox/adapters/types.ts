/**
 * What the sandbox page needs from a provider's dialect: how to call it, how its calls look on the
 * wire and in its audit trail, how it names specs, states and actions, and how it shows a key.
 * One adapter per dialect; the page itself knows no provider.
 */
import type { Kms } from '../../index.js';
import type { AuditEvent, KeyInfo, KeyState, LifecycleOperation } from '../../engine/index.js';

/** One HTTP message as it would travel: start line, headers in order, body text. */
export interface HttpMessage {
  startLine: string;
  headers: Array<[name: string, value: string]>;
  body: string;
}

/** What one call produced: the wire exchange, the outcome, and the audit records it appended. */
export interface CallResult {
  action: string;
  ok: boolean;
  /** The provider's error (its code and message), for a failed call. */
  error?: { code: string; message: string };
  /** The decoded response body of a successful call, in the provider's shape. */
  output?: Record<string, unknown>;
  request: HttpMessage;
  response: HttpMessage;
  /** Audit records in the provider's shape (CloudTrail, CloudAudit, CTS), oldest first. */
  audit: unknown[];
}

export interface Field {
  name: string;
  label: string;
  kind: 'text' | 'textarea' | 'number' | 'select';
  options?: readonly string[];
  /** The initial value. */
  value?: string;
  placeholder?: string;
  /** One short line under the control. */
  hint?: string;
  /** A select whose options follow another field's value (KeyUsage follows KeySpec). */
  dependsOn?: { field: string; options(value: string): readonly string[] };
}

/** A result worth showing, and values to carry into other forms (e.g. a ciphertext into Decrypt). */
export interface Outcome {
  summary: Array<[label: string, value: string]>;
  /** `form id → field name → value`. */
  carry?: Record<string, Record<string, string>>;
}

/** One action the page offers, as a small form. */
export interface ActionForm {
  /** Unique among a key's forms; used for element ids and carried values. */
  id: string;
  /** The provider's action name, shown on the button. */
  action: string;
  /** A few words on what it does. */
  blurb: string;
  fields: Field[];
  /**
   * The provider's request parameters. Bad input is passed through: the dialect answers it. A
   * client-side step (wrapping key material for import) may make it asynchronous, and throw
   * PrepareError when what was typed cannot be turned into a request at all.
   */
  params(values: Record<string, string>): Record<string, unknown> | Promise<Record<string, unknown>>;
  outcome?(output: Record<string, unknown>, values: Record<string, string>): Outcome;
  group: 'crypto' | 'lifecycle' | 'inspect';
}

export interface KeySpecChoice {
  /** The provider's spec name, as CreateKey takes it. */
  spec: string;
  /** The provider's usage names that spec allows; the first is the default. */
  usages: readonly string[];
}

export interface DialectAdapter {
  readonly id: string;
  /** 'AWS KMS'. */
  readonly label: string;
  /** 'CloudTrail'. */
  readonly auditLabel: string;
  readonly regions: readonly string[];
  /** The account whose keys the page lists (AWS account, Tencent UIN, Huawei domain). */
  account(kms: Kms): string;
  /** The states this provider has (the lifecycle diagram draws these). */
  readonly states: readonly KeyState[];
  /** The state as the provider names it. */
  stateName(state: KeyState): string;
  /** Engine lifecycle operations → the provider's action names (those it has). */
  readonly lifecycleActions: Partial<Record<LifecycleOperation, string>>;
  /** The form that creates a key. */
  createForm(region: string): ActionForm;
  /** The id of the key a successful CreateKey made. */
  createdKeyId(output: Record<string, unknown>): string | undefined;
  /** The forms that act on one key. */
  keyForms(kms: Kms, key: KeyInfo): ActionForm[];
  /** The key's metadata as the provider shows it (DescribeKey's KeyMetadata, …). */
  metadata(kms: Kms, key: KeyInfo): unknown;
  /** Runs one action through the dialect's own wire handler. Never rejects. */
  call(kms: Kms, region: string, action: string, params: Record<string, unknown>): Promise<CallResult>;
  /** Every audit record of this provider, oldest first. */
  auditTrail(kms: Kms): unknown[];
  /** The provider's records of some neutral audit events (those it records), oldest first. */
  auditRecords(events: readonly AuditEvent[]): unknown[];
  /** The spec as the provider names it. */
  specName(key: KeyInfo): string;
}

/** What was typed cannot become a request (e.g. key material that is not hex): nothing is sent, the page says why. */
export class PrepareError extends Error {
  override readonly name = 'PrepareError';
}
