/**
 * An append-ordered collection with O(1) look-up by id and O(log n + page) paging from any
 * position. Every item gets a rising sequence number; removal leaves a tombstone that is
 * compacted away once tombstones are the majority, which keeps the array sorted by sequence.
 */
interface Slot<T, S> {
  readonly seq: number;
  readonly id: string;
  removed: boolean;
  value: T;
  /** What the value is made from on its first read (see addDeferred); undefined once made. */
  source: S | undefined;
}

/**
 * `S`: what a deferred item is made from. Items added with addDeferred become values the first time
 * they are read (get, page, values), once: a restored state need not build every item to answer.
 */
export class OrderedIndex<T, S = never> {
  /** One slot per item, shared by both views: a page reads values without a look-up per item. */
  readonly #byId = new Map<string, Slot<T, S>>();
  #order: Array<Slot<T, S>> = [];
  #removed = 0;
  #make: ((source: S) => T) | undefined;
  /** Deferred items not made yet: at zero the index lets go of `make` (and what it holds, a file's bytes). */
  #deferred = 0;

  constructor(make?: (source: S) => T) {
    this.#make = make;
  }

  get size(): number {
    return this.#byId.size;
  }

  get(id: string): T | undefined {
    const slot = this.#byId.get(id);
    return slot === undefined ? undefined : this.#read(slot);
  }

  #read(slot: Slot<T, S>): T {
    if (slot.source !== undefined) {
      slot.value = this.#make!(slot.source);
      this.#settle(slot);
    }
    return slot.value;
  }

  /** The slot no longer waits for its value to be made. */
  #settle(slot: Slot<T, S>): void {
    if (slot.source === undefined) return;
    slot.source = undefined;
    if (--this.#deferred === 0) this.#make = undefined;
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  add(id: string, seq: number, value: T): void {
    this.#add(id, seq, value, undefined);
  }

  /** Adds an item whose value is made from `source` (by the index's `make`) when it is first read. */
  addDeferred(id: string, seq: number, source: S): void {
    if (this.#make === undefined || source === undefined) throw new Error('a deferred item needs a source and an index that makes values');
    this.#add(id, seq, undefined as T, source);
    this.#deferred++;
  }

  #add(id: string, seq: number, value: T, source: S | undefined): void {
    if (this.#byId.has(id)) throw new Error(`duplicate id ${id}`);
    const last = this.#order[this.#order.length - 1];
    if (last && last.seq >= seq) throw new Error('sequence numbers must rise');
    const slot: Slot<T, S> = { seq, id, removed: false, value, source };
    this.#order.push(slot);
    this.#byId.set(id, slot);
  }

  /** Replaces the value of an item that is present (its sequence stays); false when it is not. */
  replace(id: string, value: T): boolean {
    const slot = this.#byId.get(id);
    if (!slot) return false;
    slot.value = value;
    this.#settle(slot);
    return true;
  }

  remove(id: string): boolean {
    const slot = this.#byId.get(id);
    if (!slot) return false;
    this.#byId.delete(id);
    slot.removed = true;
    // A tombstone holds no value: a deleted key's record (and material) is not kept alive by it.
    slot.value = undefined as T;
    this.#settle(slot);
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
      items.push(this.#read(slot));
    }
    return { items };
  }

  *values(): IterableIterator<T> {
    for (const slot of this.#order) if (!slot.removed) yield this.#read(slot);
  }

  seqOf(id: string): number | undefined {
    return this.#byId.get(id)?.seq;
  }
}
