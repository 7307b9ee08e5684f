/**
 * Many concurrent requests for the same fresh row (a store by its slug, on every storefront request) share one
 * database read instead of one each — without ever answering with a read that started before the request did.
 *
 * For each key at most one load runs. A request that arrives while none runs starts one and takes its result. A
 * request that arrives while one runs does NOT take that one (it may have read the row before a commit the request
 * must see); it waits for the next load, which starts as the running one ends and is shared by everyone who
 * arrived meanwhile. So every answer comes from a read that began after the request arrived, just as if each had
 * sent its own, and under load N requests cost about two reads instead of N.
 */
export class CoalescedReads<K, V> {
  private readonly running = new Map<K, { done: Promise<V>; next: Promise<V> | null }>();

  read(key: K, load: () => Promise<V>): Promise<V> {
    const current = this.running.get(key);
    if (!current) return this.start(key, load);
    if (!current.next) {
      // Starts when the running load settles, whatever its outcome; shared by all who ask until then.
      current.next = current.done.then(
        () => this.start(key, load),
        () => this.start(key, load),
      );
    }
    return current.next;
  }

  /** Keys with a load running now (for tests and metrics). */
  get inFlight(): number {
    return this.running.size;
  }

  private start(key: K, load: () => Promise<V>): Promise<V> {
    const done = load();
    const entry = { done, next: null as Promise<V> | null };
    this.running.set(key, entry);
    const finish = () => {
      // A later load may already have replaced this entry (its `next` started); only remove our own.
      if (this.running.get(key) === entry) this.running.delete(key);
    };
    done.then(finish, finish);
    return done;
  }
}
