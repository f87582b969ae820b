/**
 * X-TC-Region (and `TencentCallMeta.region`) names a region Tencent serves, or the call is refused
 * with API 3.0's common error UnsupportedRegion before anything changes or is audited: through
 * tencentcloud-sdk-nodejs over HTTP, and in process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKms, ManualClock } from '../../src/index.js';
import { TENCENT_REGIONS } from '../../src/dialects/tencent/regions.js';
import { raw } from '../support/server.js';
import { done, emulator, failure, REGION, START, serveTencent, type TencentServer } from './support.js';

const HOSTILE = ['__proto__', 'constructor', 'toString', 'x'.repeat(8000), 'AP-GUANGZHOU', 'ap-guangzhou ', 'moon-base-1', ''];

describe('unknown regions over HTTP (tencentcloud-sdk-nodejs)', () => {
  let server: TencentServer;
  beforeAll(async () => {
    server = await serveTencent();
  });
  afterAll(async () => {
    await server.close();
  });

  const state = () => JSON.stringify({ realms: server.kms.snapshot().realms, audit: server.kms.engine.audit.size });

  it('CreateKey with X-TC-Region __proto__ or 8,000 characters: UnsupportedRegion, no key anywhere, no audit event', async () => {
    const before = state();
    // (HTTP trims a header value's surrounding spaces, and an empty X-TC-Region means the default region.)
    for (const region of HOSTILE.filter((r) => r.trim() === r && r !== '')) {
      const e = await failure(server.kmsClient({ region }).CreateKey({ Alias: 'nowhere' }));
      expect({ code: e.code, message: e.message }, region.slice(0, 20)).toEqual({ code: 'UnsupportedRegion', message: 'The action not support this region.' });
      expect(e.requestId).toBeTruthy();
    }
    expect(state()).toBe(before);
  });

  it('the finance and overseas regions are served; an unsigned request is refused for its signature first', async () => {
    for (const region of ['ap-shenzhen-fsi', 'ap-shanghai-fsi', 'ap-beijing-fsi', 'na-ashburn', 'eu-frankfurt']) {
      const key = await server.kmsClient({ region }).CreateKey({ Alias: `in-${region}` });
      expect(key.KeyId).toBeTruthy();
      expect((await server.kmsClient({ region }).DescribeKey({ KeyId: key.KeyId! })).KeyMetadata?.Alias).toBe(`in-${region}`);
    }
    // The signature is checked before the region, as the gateway authenticates first.
    const headers = { 'content-type': 'application/json', 'x-tc-action': 'GetRegions', 'x-tc-version': '2019-01-18' };
    expect((await raw(server.url, { headers: { ...headers, 'x-tc-region': '__proto__' }, body: '{}' })).json().Response.Error.Code).toBe('AuthFailure.InvalidAuthorization');
  });

  it('GetRegions in an unknown region is refused too; GetRegions lists the regions served', async () => {
    expect((await failure(server.kmsClient({ region: 'moon-base-1' }).GetRegions())).code).toBe('UnsupportedRegion');
    const regions = (await server.kmsClient().GetRegions()).Regions!;
    expect(new Set(regions)).toEqual(TENCENT_REGIONS);
  });
});

describe('unknown regions in process', () => {
  it('call, invoke and handle refuse an unknown region with UnsupportedRegion before anything changes', async () => {
    const kms = emulator();
    const before = JSON.stringify({ realms: kms.snapshot().realms, audit: kms.engine.audit.size });
    for (const region of HOSTILE) {
      const e = await failure(kms.tencent.call('CreateKey', { Alias: 'nowhere' }, { region }));
      expect(e.code, region.slice(0, 20)).toBe('UnsupportedRegion');
      const outcome = await kms.tencent.invoke('ScheduleKeyDeletion', { KeyId: 'x', PendingWindowInDays: 7 }, { region });
      expect(outcome.ok ? 'ok' : outcome.error.code).toBe('UnsupportedRegion');
      expect((await failure(kms.tencent.lookUpEvents({ StartTime: 0, EndTime: 10 }, { region }))).code).toBe('UnsupportedRegion');
    }
    for (const region of ['__proto__', 'y'.repeat(8000)]) {
      const answer = await kms.tencent.handle({ headers: { 'X-TC-Action': 'CreateKey', 'X-TC-Version': '2019-01-18', 'X-TC-Region': region }, body: '{"Alias":"nowhere"}' });
      expect(JSON.parse(new TextDecoder().decode(answer.body)).Response.Error.Code).toBe('UnsupportedRegion');
    }
    // A region that is not even a string.
    expect((await failure(kms.tencent.call('CreateKey', { Alias: 'nowhere' }, { region: 42 as unknown as string }))).code).toBe('UnsupportedRegion');
    expect(JSON.stringify({ realms: kms.snapshot().realms, audit: kms.engine.audit.size })).toBe(before);
    // Known regions still work, in process as over HTTP.
    // An empty X-TC-Region means the default region.
    const empty = await kms.tencent.handle({ headers: { 'X-TC-Action': 'GetRegions', 'X-TC-Version': '2019-01-18', 'X-TC-Region': '' }, body: '{}' });
    expect(JSON.parse(new TextDecoder().decode(empty.body)).Response.Regions).toContain(REGION);
    expect((await kms.tencent.call('CreateKey', { Alias: 'fsi' }, { region: 'ap-shenzhen-fsi' })).KeyId).toBeTruthy();
    expect((await kms.tencent.call('CreateKey', { Alias: 'default' })).KeyId).toBeTruthy();
    done(kms);
  });

  it('the configured default region and the regions of the flavours option are served', async () => {
    const kms = createKms({ clock: new ManualClock(START), tencent: { region: 'lab-east-1', flavours: { 'lab-west-2': 'sm' } } });
    expect((await kms.tencent.call('CreateKey', { Alias: 'home' })).KeyId).toBeTruthy();
    expect((await kms.tencent.call('CreateKey', { Alias: 'home2' }, { region: 'lab-east-1' })).KeyId).toBeTruthy();
    const west = await kms.tencent.call('CreateKey', { Alias: 'west' }, { region: 'lab-west-2' });
    expect(west.KeyId).toBeTruthy();
    expect((await kms.tencent.call('CreateKey', { Alias: 'g' }, { region: REGION })).KeyId).toBeTruthy();
    expect((await failure(kms.tencent.call('CreateKey', { Alias: 'x' }, { region: 'lab-north-3' }))).code).toBe('UnsupportedRegion');
    // The flavours map is looked up by own name only.
    expect((await failure(kms.tencent.call('CreateKey', { Alias: 'x' }, { region: 'hasOwnProperty' }))).code).toBe('UnsupportedRegion');
    done(kms);
  });
});
