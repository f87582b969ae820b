/**
 * CPU time of kms.aws.handle, two builds in one process taking turns (an A/B of a change):
 *   rm -rf /tmp/kms-base && mkdir /tmp/kms-base && git archive <old commit> src | tar -x -C /tmp/kms-base
 *   ln -s "$PWD/node_modules" /tmp/kms-base/node_modules
 *   BASE=/tmp/kms-base NEW=$PWD PAIRS=40 N=1000 OPS=Encrypt,DescribeKey npx tsx bench/handle-ab.ts
 * Each pair is N calls of one build then N of the other (order alternating); printed: the medians
 * of CPU µs a call and the median of the pairs' ratios (new / base). Each build keeps its own audit
 * events, as a server would.
 */
const [baseDir, newDir] = [process.env.BASE ?? '/tmp/kms-base', process.env.NEW ?? process.cwd()];
const ops = (process.env.OPS ?? 'Encrypt,DescribeKey').split(',');
const pairs = Number(process.env.PAIRS ?? 16), n = Number(process.env.N ?? 4000);
async function setup(dir: string) {
  const { createKms } = await import(dir + '/src/index.ts');
  const kms = createKms();
  const keyId = (await kms.aws.invoke('CreateKey', {})).output.KeyMetadata.KeyId;
  const headers = (op: string) => ({ 'x-amz-target': 'TrentService.' + op, 'content-type': 'application/x-amz-json-1.1', authorization: 'AWS4-HMAC-SHA256 Credential=AKIAEMULATOR00000000/20261206/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00', 'x-amz-user-agent': 'aws-sdk-js/3.0', 'user-agent': 'aws-sdk-js/3.0 ua/2.1 os/linux lang/js md/nodejs#20' });
  const reqs: Record<string, any> = {
    Encrypt: { headers: headers('Encrypt'), body: JSON.stringify({ KeyId: keyId, Plaintext: btoa('x'.repeat(32)) }) },
    DescribeKey: { headers: headers('DescribeKey'), body: JSON.stringify({ KeyId: keyId }) },
    GenerateDataKey: { headers: headers('GenerateDataKey'), body: JSON.stringify({ KeyId: keyId, KeySpec: 'AES_256' }) },
  };
  const ct = JSON.parse(new TextDecoder().decode((await kms.aws.handle(reqs.Encrypt)).body)).CiphertextBlob;
  reqs.Decrypt = { headers: headers('Decrypt'), body: JSON.stringify({ CiphertextBlob: ct }) };
  return async (op: string) => {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const r = await kms.aws.handle(reqs[op], { sourceIp: '127.0.0.1' });
      if (r.statusCode !== 200) throw new Error('fail ' + new TextDecoder().decode(r.body));
    }
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / n;
  };
}
const a = await setup(baseDir), b = await setup(newDir);
const med = (x: number[]) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)]!;
for (const op of ops) {
  for (let w = 0; w < 3; w++) { await a(op); await b(op); }
  const ra: number[] = [], rb: number[] = [], ratio: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const first = i % 2 === 0;
    const x = first ? await a(op) : 0; const y = await b(op); const x2 = first ? x : await a(op);
    ra.push(x2); rb.push(y); ratio.push(y / x2);
  }
  console.log(`${op}: base ${med(ra).toFixed(1)} µs, new ${med(rb).toFixed(1)} µs, median ratio new/base ${med(ratio).toFixed(3)} (${pairs} pairs of ${n})`);
}
