import { WorkflowError } from './workflow-error.ts';

/**
 * How much picture decoding runs at once. A decoded picture costs 4 bytes a pixel (a 50-megapixel phone photo is
 * 200 MB), so uploads are admitted by their declared pixel count against a budget for the whole box, and each
 * person decodes one picture at a time: one user, or a script with a stolen token, cannot fill the edge box's
 * memory with parallel uploads while the signs need it.
 */
export class DecodeBudget {
  private inFlight = 0;
  private readonly perUser = new Map<string, number>();
  private readonly waiting: Array<{ pixels: number; go: () => void }> = [];

  constructor(
    private readonly o: {
      /** Pixels being decoded at once, in all. One picture larger than this still runs, alone. */
      pixels: number;
      /** Decodes at once per user. */
      perUser: number;
      /** How long an upload waits for room before it is refused. */
      waitMs: number;
    } = { pixels: 64_000_000, perUser: 1, waitMs: 20_000 },
  ) {}

  /** Waits for room for a decode of `pixels`; the returned function gives the room back (call it exactly once). */
  async admit(user: string, pixels: number): Promise<() => void> {
    const mine = this.perUser.get(user) ?? 0;
    if (mine >= this.o.perUser)
      throw new WorkflowError(
        'rateLimited',
        'another picture of yours is being read right now: wait until that upload is done, then upload this one',
        [{ field: 'file', message: 'one picture at a time' }],
      );
    this.perUser.set(user, mine + 1);
    try {
      await this.room(pixels);
    } catch (e: unknown) {
      this.leave(user);
      throw e;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= pixels;
      this.leave(user);
      this.wake();
    };
  }

  /** Pixels being decoded now (for tests and metrics). */
  get pixelsInFlight(): number {
    return this.inFlight;
  }

  private fits(pixels: number): boolean {
    return this.inFlight === 0 || this.inFlight + pixels <= this.o.pixels;
  }

  /** Resolves when `pixels` have been reserved for the caller. */
  private room(pixels: number): Promise<void> {
    if (this.waiting.length === 0 && this.fits(pixels)) {
      this.inFlight += pixels;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const entry = { pixels, go: () => resolve() };
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(
          new WorkflowError(
            'unavailable',
            'Skylt is reading other large pictures right now: try the upload again in a minute',
            [{ field: 'file', message: 'busy' }],
          ),
        );
      }, this.o.waitMs);
      entry.go = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiting.push(entry);
    });
  }

  /** First come, first served: the head of the queue goes when it fits, its pixels reserved before it resumes. */
  private wake(): void {
    while (this.waiting.length > 0) {
      const next = this.waiting[0] as { pixels: number; go: () => void };
      if (!this.fits(next.pixels)) return;
      this.waiting.shift();
      this.inFlight += next.pixels;
      next.go();
    }
  }

  private leave(user: string): void {
    const n = (this.perUser.get(user) ?? 1) - 1;
    if (n <= 0) this.perUser.delete(user);
    else this.perUser.set(user, n);
  }
}
