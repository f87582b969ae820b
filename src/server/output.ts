/**
 * The CLI's only way to stdout and stderr: a writer that never throws. When the reader goes away
 * (EPIPE) or any write fails, logging to that stream ends quietly — an 'error' listener is always
 * attached, so a broken pipe can never surface as an uncaught exception, and nothing is written to a
 * stream once it has failed (the uncaught-exception handler writing to a broken stderr used to throw
 * again, forever).
 */
export interface GuardedOutput {
  /** Writes `text` unless the stream has failed; never throws. */
  write(text: string): void;
  /** False once a write failed or the stream closed: later writes are dropped. */
  readonly open: boolean;
  /** Resolves when what was written has been handed to the OS, or at once if the stream has failed. */
  flush(): Promise<void>;
}

export function guardedOutput(stream: NodeJS.WritableStream & { destroyed?: boolean }): GuardedOutput {
  let open = true;
  const fail = () => {
    open = false;
  };
  stream.on('error', fail);
  stream.on('close', fail);
  const usable = () => open && stream.destroyed !== true && stream.writable;
  return {
    write(text) {
      if (!usable()) return;
      try {
        stream.write(text, (error) => {
          if (error) fail();
        });
      } catch {
        fail();
      }
    },
    get open() {
      return open;
    },
    flush() {
      return new Promise<void>((resolve) => {
        if (!usable()) return resolve();
        try {
          stream.write('', () => resolve());
        } catch {
          fail();
          resolve();
        }
      });
    },
  };
}
