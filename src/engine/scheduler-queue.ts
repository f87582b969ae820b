/** Due work: a min-heap of (time, key, kind). Stale entries are skipped when popped. A 'delete-data-key' task names a hosted data key. */
export interface DueTask {
  readonly due: number;
  readonly keyId: string;
  readonly account: string;
  readonly region: string;
  /** `settle` ends a transient state (a replica being made, a primary Region changing); `settle-store` a key store's connecting or disconnecting (keyId is the store's id). */
  readonly kind: 'delete' | 'rotate' | 'expire-material' | 'delete-data-key' | 'settle' | 'settle-store';
}

export class DueQueue {
  readonly #heap: DueTask[] = [];

  get size(): number {
    return this.#heap.length;
  }

  push(task: DueTask): void {
    const h = this.#heap;
    h.push(task);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.due <= task.due) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = task;
  }

  peek(): DueTask | undefined {
    return this.#heap[0];
  }

  pop(): DueTask | undefined {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        const cur = smallest === i ? last : h[smallest]!;
        let best = cur;
        if (l < h.length && h[l]!.due < best.due) {
          smallest = l;
          best = h[l]!;
        }
        if (r < h.length && h[r]!.due < best.due) {
          smallest = r;
          best = h[r]!;
        }
        if (smallest === i) break;
        h[i] = best;
        i = smallest;
      }
      h[i] = last;
    }
    return top;
  }

  clear(): void {
    this.#heap.length = 0;
  }
}
