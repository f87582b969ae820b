/**
 * CPU time of @aws-sdk/client-kms EncryptCommand through kms.aws.clientConfig(), for two builds and
 * a canned handler (the same SDK answered with a recorded Encrypt answer), in one process taking
 * turns. BASE and NEW as in bench/handle-ab.ts; AUDIT_LIMIT sets the new build's auditLimit.
 *   BASE=/tmp/kms-base NEW=$PWD PAIRS=40 N=300 npx tsx bench/sdk-ab.ts
 * Printed: CPU µs a send for each, and canned / ours (the throughput ratio of one send at a time).
 */
import { EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
const dirs = { base: process.env.BASE ?? '/tmp/kms-base', new: process.env.NEW ?? process.cwd() };
const plaintext = new Uint8Array(32).fill(7);
const made: Record<string, { client: KMSClient; keyId: string }> = {};
let sample: any;
for (const [name, dir] of Object.entries(dirs)) {
  const { createKms } = await import(dir + '/src/index.ts');
  const kms = createKms(name === 'new' && process.env.AUDIT_LIMIT ? { auditLimit: Number(process.env.AUDIT_LIMIT) } : {});
  const keyId = (await kms.aws.invoke('CreateKey', {})).output.KeyMetadata.KeyId;
  made[name] = { client: new KMSClient({ ...kms.aws.clientConfig() }), keyId };
  sample ??= await kms.aws.handle({ headers: { 'x-amz-target': 'TrentService.Encrypt', 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ KeyId: keyId, Plaintext: btoa(String.fromCharCode(...plaintext)) }) });
}
const canned = new KMSClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIAEMULATOR00000000', secretAccessKey: 'kms-emulator-secret-access-key' },
  requestHandler: { metadata: { handlerProtocol: 'http/1.1' }, handle: async () => ({ response: { statusCode: 200, headers: { ...sample.headers }, body: sample.body.slice() } }), updateHttpClientConfig: () => {}, httpHandlerConfigs: () => ({}), destroy: () => {} } as never,
});
const send = (name: string) => () => made[name]!.client.send(new EncryptCommand({ KeyId: made[name]!.keyId, Plaintext: plaintext }));
const cannedSend = () => canned.send(new EncryptCommand({ KeyId: made.base!.keyId, Plaintext: plaintext }));
const n = Number(process.env.N ?? 300), pairs = Number(process.env.PAIRS ?? 40);
async function cpu(f: () => Promise<unknown>): Promise<number> {
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}
const fs: Record<string, () => Promise<unknown>> = { base: send('base'), new: send('new'), canned: cannedSend };
for (let w = 0; w < 5; w++) for (const f of Object.values(fs)) await cpu(f);
const ratios: Record<string, number[]> = { base: [], new: [] }, us: Record<string, number[]> = { base: [], new: [], canned: [] };
for (let i = 0; i < pairs; i++) {
  const order = i % 2 ? ['canned', 'new', 'base'] : ['base', 'new', 'canned'];
  const t: Record<string, number> = {};
  for (const name of order) t[name] = await cpu(fs[name]!);
  for (const name of ['base', 'new', 'canned']) us[name]!.push(t[name]!);
  ratios.base!.push(t.canned! / t.base!); ratios.new!.push(t.canned! / t.new!);
}
const med = (x: number[]) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)]!;
console.log(`CPU us a send: base ${med(us.base!).toFixed(1)}, new ${med(us.new!).toFixed(1)}, canned ${med(us.canned!).toFixed(1)}; canned/ours: base ${med(ratios.base!).toFixed(3)}, new ${med(ratios.new!).toFixed(3)} (${pairs} rounds of ${n})`);
