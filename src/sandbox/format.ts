/** How the sandbox writes times and ids. */

export function utc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function short(id: string): string {
  return id.length > 13 ? `${id.slice(0, 8)}…` : id;
}

export function relative(ms: number): string {
  const abs = Math.abs(ms);
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
  ];
  let text = '';
  let rest = abs;
  for (const [u, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0 && text.split(' ').length < 3) {
      text += `${text ? ' ' : ''}${n}${u}`;
      rest -= n * size;
    }
  }
  if (!text) text = 'now';
  return ms >= 0 ? (text === 'now' ? 'now' : `in ${text}`) : `${text} ago`;
}
