/**
 * Which frame sits in which sign slot, by content: a frame is uploaded once and reused for as long
 * as the sign keeps it. Slot 0 is the sign's default (commissioned fallback) and slot 1 holds the
 * generic crisis frame; the rest are a least-recently-used cache.
 */
export const DEFAULT_SLOT = 0;
export const CRISIS_SLOT = 1;
const FIRST_CACHE_SLOT = 2;

export interface SlotEntry {
  readonly key: string;
  readonly crc32: number;
  usedAt: number;
}

export class SlotCache {
  private readonly entries = new Map<number, SlotEntry>();
  private tick = 0;

  constructor(private slotCount: number) {}

  /** A new sign, or the sign rebooted: nothing it held can be trusted. */
  reset(slotCount: number): void {
    this.slotCount = slotCount;
    this.entries.clear();
  }

  lookup(key: string): number | null {
    for (const [slot, entry] of this.entries) {
      if (entry.key === key) {
        entry.usedAt = ++this.tick;
        return slot;
      }
    }
    return null;
  }

  entry(slot: number): SlotEntry | undefined {
    return this.entries.get(slot);
  }

  /**
   * A slot to upload into: a free one, else the least recently used one that is not `busy` (shown or
   * leased on the sign, or being uploaded). Null when every cache slot is busy.
   */
  allocate(busy: ReadonlySet<number>): number | null {
    let victim: number | null = null;
    let oldest = Number.POSITIVE_INFINITY;
    for (let slot = FIRST_CACHE_SLOT; slot < this.slotCount; slot++) {
      if (busy.has(slot)) continue;
      const entry = this.entries.get(slot);
      if (!entry) return slot;
      if (entry.usedAt < oldest) {
        oldest = entry.usedAt;
        victim = slot;
      }
    }
    return victim;
  }

  forget(slot: number): void {
    this.entries.delete(slot);
  }

  store(slot: number, key: string, crc32: number): void {
    this.entries.set(slot, { key, crc32, usedAt: ++this.tick });
  }

  get size(): number {
    return this.entries.size;
  }
}
