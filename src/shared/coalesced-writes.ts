/**
 * Many concurrent writes of the same kind (the durable refusal records of a flash sale's losers) go to the database
 * as ONE statement and one commit instead of one each, without making a lone write wait.
 *
 * A write that arrives while none runs is written at once, alone. Writes that arrive while one runs wait for it to
 * end, then go together, in arrival order, as one call of `writeMany` (at most `max` of them; the rest go next). Two
 * writes that must not share a statement (`clash`: e.g. the same key twice) are kept apart: the later one waits for
 * the next call. When a call of two or more fails, each of its writes is tried again alone, so one bad write fails
 * only itself. So N writes arriving together cost about two calls instead of N (N / `max` past `max`), and a write
 * waits only for the call running when it arrived and for the writes ahead of it.
 */
export interface CoalescedWritesOptions<I> {
  /** At most this many writes in one call (bounds one statement's size and how long it holds its rows). */
  max: number;
  /** True when two writes must not go in the same call. */
  clash?: (a: I, b: I) => boolean;
}

interface Waiting<I, O> {
  item: I;
  resolve: (out: O) => void;
  reject: (err: unknown) => void;
}

export class CoalescedWrites<I, O> {
  private readonly waiting: Waiting<I, O>[] = [];
  private running = false;

  /** `writeMany` answers one result per item, in the items' order. */
  constructor(
    private readonly writeMany: (items: I[]) => Promise<O[]>,
    private readonly opts: CoalescedWritesOptions<I>,
  ) {}

  write(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  /** Writes waiting for the running call to end (for tests and metrics). */
  get queued(): number {
    return this.waiting.length;
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length) await this.run(this.takeBatch());
    } finally {
      this.running = false;
    }
  }

  private takeBatch(): Waiting<I, O>[] {
    const clash = this.opts.clash;
    const batch: Waiting<I, O>[] = [];
    const later: Waiting<I, O>[] = [];
    for (const w of this.waiting) {
      if (batch.length < this.opts.max && !(clash && batch.some((b) => clash(b.item, w.item)))) batch.push(w);
      else later.push(w);
    }
    this.waiting.splice(0, this.waiting.length, ...later);
    return batch;
  }

  private async run(batch: Waiting<I, O>[]): Promise<void> {
    let outs: O[];
    try {
      outs = await this.writeMany(batch.map((w) => w.item));
      if (outs.length !== batch.length)
        throw new Error(`coalesced write: ${outs.length} results for ${batch.length} writes`);
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      // Each alone: the one that failed the call fails only itself.
      for (const w of batch) await this.run([w]);
      return;
    }
    for (const [i, w] of batch.entries()) w.resolve(outs[i]!);
  }
}
