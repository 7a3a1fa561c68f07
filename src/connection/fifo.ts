/**
 * A first-in first-out line: the connection queue's commands in flight, waiting, and their
 * deadlines. A ring over one array: with a steady number in flight (100 for W2) push and shift
 * allocate nothing. The array-with-a-head it replaces grew by reallocation as it was pushed and
 * was compacted by a copy every thousand shifts: about 40 bytes of garbage a command (W2).
 */

/** The smallest ring, and the largest one kept once the line is empty (a burst's ring is dropped). */
const MIN_CAPACITY = 16;
const KEPT_CAPACITY = 1024;
/** A larger ring is halved while less than a quarter of it is used, the line empty or not. */
const SHRINK_ABOVE = 2 * KEPT_CAPACITY;

export class Fifo<T> {
  /** Capacity a power of two; `head` is the oldest item, `size` items follow it (wrapping). */
  private items: Array<T | undefined> = emptyRing<T>(MIN_CAPACITY);
  private mask = MIN_CAPACITY - 1;
  private head = 0;
  private size = 0;
  /**
   * Fewer items than this and the ring is too big (a quarter of it; 0 for a ring of SHRINK_ABOVE
   * or less). A line under steady load after a burst may never be empty, and the array it replaced
   * gave the burst's room back by slicing: without this its high-water ring stayed (16 MB at 2M).
   */
  private shrinkBelow = 0;
  /** Set while `retain` walks the ring: items pushed meanwhile wait here, then go to the end. */
  private pushedWhileRetaining: T[] | undefined;

  get length(): number {
    return this.size;
  }

  push(item: T): void {
    const later = this.pushedWhileRetaining;
    if (later !== undefined) {
      later.push(item);
      return;
    }
    if (this.size > this.mask) this.grow();
    this.items[(this.head + this.size) & this.mask] = item;
    this.size++;
  }

  peek(): T | undefined {
    return this.size === 0 ? undefined : this.items[this.head];
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    if (--this.size === 0) this.emptied();
    else if (this.size < this.shrinkBelow) this.fit();
    return item;
  }

  /**
   * Keeps only the items `keep` approves, in order (O(length)). In place: a copy of a line
   * of millions is garbage only a full GC reclaims (under a stalled server this ran on every
   * failed reconnect: ~60 MB of garbage per run at 2M waiting commands).
   */
  retain(keep: (item: T) => boolean): void {
    const items = this.items;
    const mask = this.mask;
    const head = this.head;
    const n = this.size;
    this.pushedWhileRetaining = [];
    let w = 0;
    let i = 0;
    try {
      for (; i < n; i++) {
        const item = items[(head + i) & mask] as T;
        if (keep(item)) items[(head + w++) & mask] = item;
      }
    } finally {
      // Should `keep` throw, the items it did not judge (the one it threw on included) stay.
      for (; i < n; i++) items[(head + w++) & mask] = items[(head + i) & mask];
      for (let j = w; j < n; j++) items[(head + j) & mask] = undefined;
      this.size = w;
      // Items pushed meanwhile (by what `keep` set off) stay, behind the kept ones.
      const later = this.pushedWhileRetaining;
      this.pushedWhileRetaining = undefined;
      if (w === 0) this.emptied();
      for (const item of later) this.push(item);
      if (this.size < this.shrinkBelow) this.fit();
    }
  }

  /** Removes and returns the newest items as long as `take` approves them, oldest first. */
  popNewest(take: (item: T) => boolean): T[] {
    let n = 0;
    while (n < this.size && take(this.items[(this.head + this.size - 1 - n) & this.mask] as T)) n++;
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) {
      const at = (this.head + this.size - n + i) & this.mask;
      out[i] = this.items[at] as T;
      this.items[at] = undefined;
    }
    this.size -= n;
    if (this.size === 0) this.emptied();
    else if (this.size < this.shrinkBelow) this.fit();
    return out;
  }

  /** Removes and returns everything, oldest first. */
  drain(): T[] {
    const out = this.toArray();
    this.items = emptyRing<T>(MIN_CAPACITY);
    this.mask = MIN_CAPACITY - 1;
    this.shrinkBelow = 0;
    this.head = 0;
    this.size = 0;
    return out;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.size; i++) yield this.items[(this.head + i) & this.mask] as T;
  }

  private toArray(): T[] {
    const out = new Array<T>(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.items[(this.head + i) & this.mask] as T;
    return out;
  }

  /** Twice the room. */
  private grow(): void {
    this.resize((this.mask + 1) * 2);
  }

  /** Less than a quarter of a ring above SHRINK_ABOVE used: halved until it is not (amortized O(1)). */
  private fit(): void {
    let capacity = this.mask + 1;
    while (capacity > SHRINK_ABOVE && this.size < capacity >> 2) capacity >>= 1;
    this.resize(capacity);
  }

  /** A ring of `capacity` (a power of two, at least `size`), the items in order from index 0. */
  private resize(capacity: number): void {
    const next = emptyRing<T>(capacity);
    for (let i = 0; i < this.size; i++) next[i] = this.items[(this.head + i) & this.mask];
    this.items = next;
    this.mask = capacity - 1;
    this.shrinkBelow = capacity > SHRINK_ABOVE ? capacity >> 2 : 0;
    this.head = 0;
  }

  /** Nothing left: start at 0, and give back the room a burst took. */
  private emptied(): void {
    this.head = 0;
    if (this.mask + 1 > KEPT_CAPACITY) {
      this.items = emptyRing<T>(MIN_CAPACITY);
      this.mask = MIN_CAPACITY - 1;
      this.shrinkBelow = 0;
    }
  }
}

/** A packed array of `capacity` undefineds (holey arrays read slower). */
function emptyRing<T>(capacity: number): Array<T | undefined> {
  return new Array<T | undefined>(capacity).fill(undefined as T | undefined);
}
