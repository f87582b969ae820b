// IPv4 and IPv6 addresses and CIDR blocks for the IpAddress / NotIpAddress condition operators.

export interface Cidr {
  /** 4 bytes for IPv4, 16 for IPv6. */
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

function parseIpv4(text: string, out: Uint8Array, at: number): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!/^\d{1,3}$/.test(part)) return false;
    const n = Number(part);
    if (n > 255) return false;
    out[at + i] = n;
  }
  return true;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const out = new Uint8Array(16);
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): string[] => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const words: number[] = [];
  const tailWords: number[] = [];
  const read = (list: string[], into: number[], last: boolean): boolean => {
    for (let i = 0; i < list.length; i++) {
      const g = list[i]!;
      if (last && i === list.length - 1 && g.includes('.')) {
        const v4 = new Uint8Array(4);
        if (!parseIpv4(g, v4, 0)) return false;
        into.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
      into.push(parseInt(g, 16));
    }
    return true;
  };
  if (!read(head, words, halves.length === 1) || !read(tail, tailWords, true)) return undefined;
  const total = words.length + tailWords.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const all = [...words, ...new Array<number>(8 - total).fill(0), ...tailWords];
  for (let i = 0; i < 8; i++) {
    out[i * 2] = all[i]! >> 8;
    out[i * 2 + 1] = all[i]! & 0xff;
  }
  return out;
}

/** Parses an address (no prefix); undefined when it is not an IPv4 or IPv6 address. */
export function parseIp(text: string): Uint8Array | undefined {
  if (text.includes(':')) return parseIpv6(text);
  const out = new Uint8Array(4);
  return parseIpv4(text, out, 0) ? out : undefined;
}

/** Parses `address` or `address/prefix`; a bare address is a /32 or /128 block. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const bytes = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (bytes === undefined) return undefined;
  const max = bytes.length * 8;
  if (slash < 0) return { bytes, prefix: max };
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix > max ? undefined : { bytes, prefix };
}

export function cidrContains(cidr: Cidr, address: Uint8Array): boolean {
  let bytes = address;
  if (cidr.bytes.length === 4 && address.length === 16) {
    // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is its IPv4 address.
    for (let i = 0; i < 10; i++) if (address[i] !== 0) return false;
    if (address[10] !== 0xff || address[11] !== 0xff) return false;
    bytes = address.subarray(12);
  } else if (cidr.bytes.length !== address.length) {
    return false;
  }
  const full = cidr.prefix >> 3;
  for (let i = 0; i < full; i++) if (cidr.bytes[i] !== bytes[i]) return false;
  const rest = cidr.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (cidr.bytes[full]! & mask) === (bytes[full]! & mask);
}
