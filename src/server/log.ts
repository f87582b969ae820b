/**
 * The request log of the local endpoint: one line per request, as text (the default) or JSON
 * lines, or nothing (`--log text|json|off`).
 *
 * A request only hands over a record (numbers and references, nothing formatted); the lines are
 * formatted and written in batches after the current I/O turn (setImmediate), so logging never
 * holds up an answer. When the output cannot keep up, lines wait in memory up to a bound, and
 * beyond it are counted and dropped (a line says how many). A write error (a closed pipe) stops
 * the log quietly: requests go on being answered.
 */
import type { Writable } from 'node:stream';

export type LogFormat = 'text' | 'json' | 'off';
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json', 'off'];

/** What the server knows of one answered request. */
export interface RequestRecord {
  /** Epoch milliseconds when the answer was sent. */
  at: number;
  method: string;
  path: string;
  /** 'aws', 'tencent', 'huawei', 'sandbox', 'server'. */
  provider: string;
  /** The operation or action, '' when unknown. */
  operation: string;
  status: number;
  /** From the first byte of the request to the answer. */
  ms: number;
  /** Why a request was refused, when the body does not say. */
  note?: string | undefined;
  /** Kept by reference for the JSON line's key id (read when the line is written, never on the request's path). */
  requestBody?: Uint8Array | undefined;
  responseBody?: Uint8Array | string | undefined;
}

export interface RequestLog {
  request(record: RequestRecord): void;
  /** A line about the server itself (a client error, an internal error). */
  message(text: string): void;
}

// ------------------------------------------------------------------ formats

export function textLine(r: RequestRecord): string {
  const label = `${r.provider}/${r.operation || '-'}`;
  return `${new Date(r.at).toISOString()} ${r.method} ${r.path} ${label} ${r.status} ${r.ms.toFixed(1)}ms${r.note ? ` (${r.note})` : ''}`;
}

const decoder = new TextDecoder();
/** AWS and Tencent name it KeyId, Huawei key_id; a response names the key it used first. */
const KEY_ID = /"(?:KeyId|key_id)"\s*:\s*"([^"\\]{1,2048})"/;

function keyIdIn(body: Uint8Array | string | undefined): string | undefined {
  if (body === undefined || body.length === 0 || body.length > 64 * 1024) return undefined;
  const text = typeof body === 'string' ? body : decoder.decode(body);
  return KEY_ID.exec(text)?.[1];
}

export function jsonLine(r: RequestRecord): string {
  const keyId = keyIdIn(r.responseBody) ?? keyIdIn(r.requestBody);
  return JSON.stringify({
    time: new Date(r.at).toISOString(),
    provider: r.provider,
    operation: r.operation || null,
    keyId: keyId ?? null,
    status: r.status,
    durationMs: Math.round(r.ms * 10) / 10,
    method: r.method,
    path: r.path,
    ...(r.note ? { note: r.note } : {}),
  });
}

function messageLine(format: 'text' | 'json', text: string, at = Date.now()): string {
  const time = new Date(at).toISOString();
  return format === 'json' ? JSON.stringify({ time, message: text }) : `${time} ${text}`;
}

// ------------------------------------------------------------------ sinks

/** Synchronous lines to a callback (tests, embedders): the text format, formatted at once. */
export function lineLog(write: (line: string) => void): RequestLog {
  return {
    request: (r) => write(textLine(r)),
    message: (text) => write(messageLine('text', text)),
  };
}

export interface BufferedLog extends RequestLog {
  /** Writes what is pending now; resolves when the stream has taken it (or the log has stopped). */
  flush(): Promise<void>;
  /** Lines dropped because the output could not keep up. */
  readonly dropped: number;
}

export interface BufferedLogOptions {
  /** Pending bytes beyond which lines are dropped (counted). Default 4 MiB. */
  maxPendingBytes?: number;
}

/** Lines formatted and written in batches after the current I/O turn; never blocks a request. */
export function bufferedLog(format: 'text' | 'json', stream: Writable, options: BufferedLogOptions = {}): BufferedLog {
  const maxPending = options.maxPendingBytes ?? 4 * 1024 * 1024;
  let records: Array<RequestRecord | string> = [];
  let scheduled = false;
  let stopped = false;
  /** Bytes handed to the stream and not yet flushed by it (its writableLength). */
  let dropped = 0;
  let reportedDrops = 0;
  const format1 = format === 'json' ? jsonLine : textLine;

  stream.on('error', () => {
    // EPIPE and the like: the reader is gone. Stop writing; the server goes on.
    stopped = true;
    records = [];
  });

  const drain = (): string => {
    const batch = records;
    records = [];
    scheduled = false;
    let out = '';
    for (const item of batch) out += `${typeof item === 'string' ? item : format1(item)}\n`;
    if (dropped > reportedDrops) {
      out += `${messageLine(format, `log: ${dropped - reportedDrops} lines dropped (output too slow)`)}\n`;
      reportedDrops = dropped;
    }
    return out;
  };

  const write = (): void => {
    if (stopped) return;
    const out = drain();
    if (out.length === 0) return;
    try {
      stream.write(out);
    } catch {
      stopped = true;
    }
  };

  const enqueue = (item: RequestRecord | string): void => {
    if (stopped) return;
    // The stream's own buffer counts too: a reader that does not read must not grow memory without bound.
    if (stream.writableLength > maxPending) {
      dropped++;
      return;
    }
    records.push(item);
    if (!scheduled) {
      scheduled = true;
      setImmediate(write);
    }
  };

  return {
    request: enqueue,
    message: (text) => enqueue(messageLine(format, text)),
    flush() {
      write();
      if (stopped || stream.writableLength === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        try {
          stream.write('', () => resolve());
        } catch {
          resolve();
        }
      });
    },
    get dropped() {
      return dropped;
    },
  };
}
