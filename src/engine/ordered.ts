/**
 * An append-ordered collection with O(1) look-up by id and O(log n + page) paging from any
 * position. Every item gets a rising sequence number; removal leaves a tombstone that is
 * compacted away once tombstones are the majority, which keeps the array sorted by sequence.
 */
interface Slot<T> {
  readonly seq: number;
  readonly id: string;
  removed: boolean;
  value: T;
}

export class OrderedIndex<T> {
  /** One slot per item, shared by both views: a page reads values without a look-up per item. */
  readonly #byId = new Map<string, Slot<T>>();
  #order: Array<Slot<T>> = [];
  #removed = 0;

  get size(): number {
    return this.#byId.size;
  }

  get(id: string): T | undefined {
    return this.#byId.get(id)?.value;
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  add(id: string, seq: number, value: T): void {
    if (this.#byId.has(id)) throw new Error(`duplicate id ${id}`);
    const last = this.#order[this.#order.length - 1];
    if (last && last.seq >= seq) throw new Error('sequence numbers must rise');
    const slot: Slot<T> = { seq, id, removed: false, value };
    this.#order.push(slot);
    this.#byId.set(id, slot);
  }

  /** Replaces the value of an item that is present (its sequence stays); false when it is not. */
  replace(id: string, value: T): boolean {
    const slot = this.#byId.get(id);
    if (!slot) return false;
    slot.value = value;
    return true;
  }

  remove(id: string): boolean {
    const slot = this.#byId.get(id);
    if (!slot) return false;
    this.#byId.delete(id);
    slot.removed = true;
    // A tombstone holds no value: a deleted key's record (and material) is not kept alive by it.
    slot.value = undefined as T;
    this.#removed++;
    if (this.#removed > 64 && this.#removed * 2 > this.#order.length) {
      this.#order = this.#order.filter((s) => !s.removed);
      this.#removed = 0;
    }
    return true;
  }

  /** First position whose sequence is >= seq. */
  #find(seq: number): number {
    let lo = 0;
    let hi = this.#order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#order[mid]!.seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Up to `limit` items with sequence >= fromSeq, and the sequence to continue from. */
  page(fromSeq: number, limit: number): { items: T[]; nextSeq?: number } {
    const items: T[] = [];
    for (let i = this.#find(fromSeq); i < this.#order.length; i++) {
      const slot = this.#order[i]!;
      if (slot.removed) continue;
      if (items.length === limit) return { items, nextSeq: slot.seq };
      items.push(slot.value);
    }
    return { items };
  }

  *values(): IterableIterator<T> {
    for (const slot of this.#order) if (!slot.removed) yield slot.value;
  }

  seqOf(id: string): number | undefined {
    return this.#byId.get(id)?.seq;
  }
}
