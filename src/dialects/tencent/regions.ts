/**
 * The regions a Tencent Cloud API 3.0 call may name (`X-TC-Region`, `TencentCallMeta.region`).
 * Tencent's API gateway answers a region it does not serve with the common error
 * `UnsupportedRegion` ("The action not support this region.", as the gateway words it), before the
 * action runs; so does the dialect, before anything changes or is audited.
 */
import { TencentCloudError } from './errors.js';
import { REGION_FLAVOURS, type RegionFlavour } from './metadata.js';

/**
 * Tencent Cloud's public regions: mainland China (with the finance zones `-fsi` and the special ones),
 * Hong Kong, Macao and Taiwan, and the overseas regions, as Tencent's region list names them, plus
 * the regions of the built-in flavour table.
 */
export const TENCENT_REGIONS: ReadonlySet<string> = new Set([
  ...Object.keys(REGION_FLAVOURS),
  // Mainland China.
  'ap-guangzhou',
  'ap-shanghai',
  'ap-nanjing',
  'ap-beijing',
  'ap-chengdu',
  'ap-chongqing',
  'ap-shanghai-adc',
  'ap-guangzhou-open',
  // Finance zones.
  'ap-shenzhen-fsi',
  'ap-shanghai-fsi',
  'ap-beijing-fsi',
  // Hong Kong, Macao and Taiwan; overseas.
  'ap-hongkong',
  'ap-taipei',
  'ap-singapore',
  'ap-jakarta',
  'ap-bangkok',
  'ap-seoul',
  'ap-tokyo',
  'ap-mumbai',
  'na-siliconvalley',
  'na-ashburn',
  'na-toronto',
  'sa-saopaulo',
  'eu-frankfurt',
  'eu-moscow',
]);

export interface RegionOptions {
  /** The dialect's default region: always served. */
  region: string;
  /** Regions named by the dialect's `flavours` option: served too. */
  flavours?: Readonly<Record<string, RegionFlavour>>;
}

/** Whether the dialect serves `region`: Tencent's public list, the configured flavours, the default region. */
export function isKnownRegion(region: unknown, options: RegionOptions): boolean {
  if (typeof region !== 'string') return false;
  return region === options.region || TENCENT_REGIONS.has(region) || (options.flavours !== undefined && Object.hasOwn(options.flavours, region));
}

/**
 * The `UnsupportedRegion` error for a call that names a region the dialect does not serve, or
 * undefined (no region named: the default one is used).
 */
export function checkRegion(meta: unknown, options: RegionOptions, requestId: string): TencentCloudError | undefined {
  const region = typeof meta === 'object' && meta !== null ? (meta as { region?: unknown }).region : undefined;
  if (region === undefined || isKnownRegion(region, options)) return undefined;
  return new TencentCloudError('UnsupportedRegion', 'The action not support this region.', requestId);
}
