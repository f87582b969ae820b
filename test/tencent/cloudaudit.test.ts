/**
 * CloudAudit Event records of Tencent KMS calls: the logged actions (ListKeys as ListKey), failed
 * calls with their API error code, the record shape, and no plaintext, key material or ciphertext.
 */
import { describe, expect, it } from 'vitest';
import { done, emulator, failure, UIN } from './support.js';

describe('kms.tencent.auditEvents()', () => {
  it('records the logged actions, successful or failed, and leaves secrets out', async () => {
    const kms = emulator();
    const id = (await kms.tencent.call('CreateKey', { Alias: 'audited' })).KeyId;
    const secret = 'c2VjcmV0IHBsYWludGV4dA==';
    const { CiphertextBlob } = await kms.tencent.call('Encrypt', { KeyId: id, Plaintext: secret });
    await kms.tencent.call('Decrypt', { CiphertextBlob });
    const dk = await kms.tencent.call('GenerateDataKey', { KeyId: id, NumberOfBytes: 32 });
    const wb = await kms.tencent.call('CreateWhiteBoxKey', { Alias: 'wb', Algorithm: 'SM4' });
    await kms.tencent.call('ListKeys', {});
    await kms.tencent.call('DescribeWhiteBoxKey', { KeyId: wb.KeyId });
    await failure(kms.tencent.call('ScheduleKeyDeletion', { KeyId: id, PendingWindowInDays: 7 }));

    const events = kms.tencent.auditEvents();
    expect(events.map((e) => e.EventName)).toEqual(['CreateKey', 'Encrypt', 'Decrypt', 'GenerateDataKey', 'CreateWhiteBoxKey', 'ListKey', 'ScheduleKeyDeletion']);
    const failed = events.at(-1)!;
    const detail = JSON.parse(failed.CloudAuditEvent);
    expect(detail).toMatchObject({ apiErrorCode: 'ResourceUnavailable.CmkShouldBeDisabled', actionType: 'Write', eventName: 'ScheduleKeyDeletion', apiVersion: '3.0' });
    expect(failed).toMatchObject({ AccountID: Number(UIN), Username: 'root', EventRegion: 'ap-guangzhou', EventSource: 'kms.tencentcloudapi.com', ErrorCode: 0 });
    expect(failed.Resources).toEqual({ ResourceType: 'kms', ResourceName: id });
    expect(JSON.parse(detail.resources)).toEqual([`qcs::kms:ap-guangzhou:uin/${UIN}:key/creatorUin/${UIN}/${id}`]);
    const encrypt = JSON.parse(events[1]!.CloudAuditEvent);
    expect(JSON.parse(encrypt.requestParameters)).toEqual({ Action: 'Encrypt', Region: 'ap-guangzhou', KeyId: id });
    const text = JSON.stringify(events);
    for (const leaked of [secret, CiphertextBlob, dk.Plaintext, dk.CiphertextBlob, wb.DecryptKey, wb.EncryptKey]) expect(text).not.toContain(leaked);
    done(kms);
  });

  it('LookUpEvents in process filters by attribute and time', async () => {
    const kms = emulator();
    const id = (await kms.tencent.call('CreateKey', { Alias: 'a' })).KeyId;
    kms.clock.advance('1h');
    await kms.tencent.call('DescribeKey', { KeyId: id });
    const start = Date.parse('2026-01-01T00:30:00Z') / 1000;
    const later = await kms.tencent.lookUpEvents({ StartTime: start, EndTime: start + 7200 });
    expect(later.Events.map((e: { EventName: string }) => e.EventName)).toEqual(['DescribeKey']);
    const reads = await kms.tencent.lookUpEvents({ StartTime: 0, EndTime: start + 7200, LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'false' }] });
    expect(reads.Events.map((e: { EventName: string }) => e.EventName)).toEqual(['CreateKey']);
    expect((await failure(kms.tencent.lookUpEvents({ StartTime: 0, EndTime: 1, LookupAttributes: [{ AttributeKey: 'Color' }] }))).code).toBe('InvalidParameterValue.attributeKey');
    expect((await failure(kms.tencent.lookUpEvents({ StartTime: 0 }))).code).toBe('MissingParameter');
    done(kms);
  });

  it('events carry EventNameCn (the action\'s Chinese title) and Location; SecretId and SourceIPAddress are strings, never null', async () => {
    const kms = emulator();
    const id = (await kms.tencent.call('CreateKey', { Alias: 'cn' })).KeyId;
    await kms.tencent.call('ListKeys', {});
    await kms.tencent.call('DescribeKey', { KeyId: id }, { secretId: 'AKIDsigned', sourceIp: '203.0.113.7' });
    const [created, listed, described] = kms.tencent.auditEvents();
    expect(created).toMatchObject({ EventName: 'CreateKey', EventNameCn: '创建主密钥', Location: '未知', SecretId: '', SourceIPAddress: '' });
    expect(listed).toMatchObject({ EventName: 'ListKey', EventNameCn: '获取主密钥列表' });
    expect(described).toMatchObject({ EventNameCn: '获取主密钥属性', SecretId: 'AKIDsigned', SourceIPAddress: '203.0.113.7' });
    for (const e of kms.tencent.auditEvents()) for (const v of Object.values(e)) expect(v).not.toBeNull();
    done(kms);
  });

  it('LookUpEvents answers NextToken ("" when the list is over) and pages with it, unmoved by events recorded between pages', async () => {
    const kms = emulator();
    const id = (await kms.tencent.call('CreateKey', { Alias: 'paged' })).KeyId;
    for (let i = 0; i < 6; i++) {
      kms.clock.advance('1s');
      await kms.tencent.call('DescribeKey', { KeyId: id });
    }
    const all = (await kms.tencent.lookUpEvents({ StartTime: 0, EndTime: 2e9, MaxResults: 50 })).Events.map((e: { EventId: string }) => e.EventId);
    expect(all).toHaveLength(7);
    const first = await kms.tencent.lookUpEvents({ StartTime: 0, EndTime: 2e9, MaxResults: 3 });
    expect(first).toMatchObject({ ListOver: false, TotalCount: 7 });
    expect(first.NextToken).toMatch(/^[A-Za-z0-9+/]+=*$/);
    // A new event between pages: the next page still continues after the last one seen.
    await kms.tencent.call('DescribeKey', { KeyId: id });
    const second = await kms.tencent.lookUpEvents({ StartTime: 0, EndTime: 2e9, MaxResults: 3, NextToken: first.NextToken });
    const third = await kms.tencent.lookUpEvents({ StartTime: 0, EndTime: 2e9, MaxResults: 3, NextToken: second.NextToken });
    expect([...first.Events, ...second.Events, ...third.Events].map((e: { EventId: string }) => e.EventId)).toEqual(all);
    expect(third).toMatchObject({ ListOver: true, NextToken: '' });
    expect((await failure(kms.tencent.lookUpEvents({ StartTime: 0, EndTime: 2e9, NextToken: 'bm90IGEgdG9rZW4=' }))).code).toBe('InvalidParameterValue');
    done(kms);
  });
});
