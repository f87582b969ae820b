/** Huawei key tags: create-kms-tag, delete-tag, batch-create-kms-tags, show-kms-tags, list-kms-tags, list-kms-by-tags. */
import { kmsError } from './errors.js';
import { keyDetails } from './metadata.js';
import { numberOf } from './validate.js';
import { allKeys, isPlainObject, tagCountAfter } from '../shared.js';
import { aliasOf, type Call, type Handler, keyRef, LIMITS, lookup } from './call.js';

const TAG_FORBIDDEN = /[\u0000-\u001f*<>\\=]/;

export function checkTag(tag: unknown): [string, string] {
  if (!isPlainObject(tag)) throw kmsError('KMS.0412');
  const { key, value } = tag as { key?: unknown; value?: unknown };
  if (typeof key !== 'string' || key.trim() === '' || TAG_FORBIDDEN.test(key)) throw kmsError('KMS.0406');
  if ([...key].length > 36) throw kmsError('KMS.0411');
  const v = value ?? '';
  if (typeof v !== 'string' || TAG_FORBIDDEN.test(v)) throw kmsError('KMS.0405');
  if ([...v].length > 43) throw kmsError('KMS.0410');
  return [key, v];
}

function addTags(call: Call, tags: Array<[string, string]>): void {
  const key = lookup(call);
  if (tagCountAfter(key.tags.keys(), tags.map(([k]) => k)) > LIMITS.tagsPerKey) throw kmsError('KMS.0409');
  call.engine.tagKey(call.ctx, keyRef(call.body), tags);
  call.trail.resourceName = aliasOf(call.engine, key);
}

export const createKmsTag: Handler = (call) => {
  if (call.body.tag === undefined) throw kmsError('KMS.0204');
  addTags(call, [checkTag(call.body.tag)]);
  return {};
};

export const deleteTag: Handler = (call) => {
  const key = lookup(call);
  const name = call.body.key;
  if (typeof name !== 'string' || !key.tags.has(name)) throw kmsError('KMS.0416');
  call.engine.untagKey(call.ctx, keyRef(call.body), [name]);
  call.trail.resourceName = aliasOf(call.engine, key);
  return {};
};

export const batchCreateKmsTags: Handler = (call) => {
  const { body } = call;
  if (body.action !== 'create' && body.action !== 'delete') throw kmsError('KMS.0404');
  const tags = (body.tags as unknown[]).map(checkTag);
  if (tags.length === 0) throw kmsError('KMS.0401');
  if (body.action === 'create') {
    addTags(call, tags);
  } else {
    const key = lookup(call);
    call.engine.untagKey(call.ctx, keyRef(body), tags.map(([k]) => k));
    call.trail.resourceName = aliasOf(call.engine, key);
  }
  return {};
};

export const showKmsTags: Handler = (call) => {
  const key = lookup(call);
  return { tags: [...key.tags].map(([k, v]) => ({ key: k, value: v })), existTagsNum: key.tags.size };
};

export const listKmsTags: Handler = (call) => {
  const values = new Map<string, Set<string>>();
  for (const key of allKeys(call.engine, call.ctx)) {
    for (const [k, v] of key.tags) {
      let set = values.get(k);
      if (!set) values.set(k, (set = new Set()));
      set.add(v);
    }
  }
  return { tags: [...values].map(([key, vs]) => ({ key, values: [...vs] })) };
};

export const listKmsByTags: Handler = (call) => {
  const { engine, ctx, body } = call;
  const action = body.action ?? 'filter';
  if (action !== 'filter' && action !== 'count') throw kmsError('KMS.0404');
  const filters = ((body.tags as unknown[] | undefined) ?? []).map((t) => {
    if (!isPlainObject(t) || typeof t.key !== 'string' || t.key === '') throw kmsError('KMS.0414');
    const values = t.values ?? [];
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) throw kmsError('KMS.0414');
    return { key: t.key, values: values as string[] };
  });
  const matches = ((body.matches as unknown[] | undefined) ?? []).map((m) => {
    if (!isPlainObject(m) || m.key !== 'resource_name' || typeof m.value !== 'string' || m.value === '' || m.value.length > 255) throw kmsError('KMS.0415');
    return m.value;
  });
  const found = allKeys(engine, ctx)
    .map((k) => ({ key: k, name: aliasOf(engine, k) }))
    .filter(({ key, name }) => filters.every((f) => key.tags.has(f.key) && (f.values.length === 0 || f.values.includes(key.tags.get(f.key)!))) && matches.every((m) => name.includes(m)));
  if (action === 'count') return { total_count: found.length };
  const offset = numberOf(body.offset, 0);
  const limit = numberOf(body.limit, 10);
  if (limit < 1 || limit > 1000) throw kmsError('KMS.1601');
  return {
    resources: found.slice(offset, offset + limit).map(({ key, name }) => ({
      resource_id: key.id,
      resource_detail: keyDetails(key, name),
      resource_name: name,
      tags: [...key.tags].map(([k, v]) => ({ key: k, value: v })),
    })),
    total_count: found.length,
  };
};
