/**
 * The dialects the sandbox offers: only those whose dialect is part of the package. A dialect that
 * has not landed yet is simply not listed (no stand-ins).
 */
import { awsAdapter } from './aws.js';
import { sandboxKeyStoreOptions } from './aws-key-stores.js';
import type { Clock, CreateKmsOptions } from '../../index.js';
import { huaweiAdapter } from './huawei.js';
import { HUAWEI_PROJECTS } from './huawei-replicas.js';
import { tencentAdapter } from './tencent.js';
import type { DialectAdapter } from './types.js';

export const ADAPTERS: readonly DialectAdapter[] = [awsAdapter, tencentAdapter, huaweiAdapter];

/** The options of the page's emulator: the projects the Huawei regions call through; AWS external key stores reach an XKS proxy in the page, on its clock. */
export function kmsOptions(clock: Clock): Pick<CreateKmsOptions, 'huawei' | 'aws'> {
  return { huawei: { projects: { ...HUAWEI_PROJECTS } }, aws: sandboxKeyStoreOptions(() => clock.now()) };
}

export function adapterFor(id: string | undefined): DialectAdapter {
  return ADAPTERS.find((a) => a.id === id) ?? ADAPTERS[0]!;
}

export type { DialectAdapter, ActionForm, CallResult, Field, HttpMessage, Outcome } from './types.js';
export { PrepareError } from './types.js';
