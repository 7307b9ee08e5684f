/**
 * The worker pool's primary process (the Gunicorn role): forks the workers that share the port, replaces any that
 * die (backing off when they keep dying at start), reloads them one at a time on SIGHUP and drains them on
 * SIGTERM/SIGINT. It serves no HTTP itself; it only answers the workers' requests for pool-wide /metrics.
 */
import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { servePoolMetrics } from './pool-metrics.js';

/** A worker that dies sooner than this after being forked "died at start" and counts towards the backoff. */
export const MIN_UPTIME_MS = 5_000;
export const FIRST_RESTART_DELAY_MS = 100;
export const MAX_RESTART_DELAY_MS = 30_000;
/** After the drain budget, how long a worker may still take to exit before it is killed. */
const KILL_GRACE_MS = 5_000;

/** Delay before starting a replacement after the n-th early death in a row (n ≥ 1): 100 ms, 200 ms, … 30 s. */
export function restartDelayMs(earlyDeathsInARow: number): number {
  if (earlyDeathsInARow <= 0) return 0;
  return Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** Math.min(earlyDeathsInARow - 1, 30));
}

export interface PoolOptions {
  size: number;
  /** The embedded database allows one process on its data dir: a reload stops the old worker before the new starts. */
  singleProcessDb: boolean;
  shutdownTimeoutMs: number;
  log: Logger;
  /** Called once, when `size` workers are listening for the first time. */
  onUp?(address: AddressInfo | { address: string; port: number }, size: number): void;
  /** Called after every worker has exited on shutdown; default exits the process. */
  onStopped?(exitCode: number): void;
}

type WorkerState = 'starting' | 'listening' | 'retiring';

interface Member {
  worker: Worker;
  pid: number;
  state: WorkerState;
  forkedAt: number;
  /** Resets the early-death count once this worker has stayed up MIN_UPTIME_MS. */
  stableTimer?: NodeJS.Timeout;
  /** Settled when the worker reaches `listening` or exits before that. */
  ready: Promise<void>;
  exited: Promise<void>;
}

export class WorkerPool {
  private readonly members = new Map<number, Member>();
  private readonly replacementTimers = new Set<NodeJS.Timeout>();
  private earlyDeathsInARow = 0;
  private stopping = false;
  private forcedKill = false;
  private reloading = false;
  private reloadAgain = false;
  private announced = false;

  constructor(private readonly opts: PoolOptions) {
    servePoolMetrics(() => [...this.members.values()].filter((m) => m.state === 'listening').map((m) => m.worker));
  }

  start(): void {
    for (let i = 0; i < this.opts.size; i++) this.fork();
  }

  /** pids of the workers that are not being retired (for logs and tests). */
  pids(): number[] {
    return [...this.members.values()].filter((m) => m.state !== 'retiring').map((m) => m.pid);
  }

  private serving(): Member[] {
    return [...this.members.values()].filter((m) => m.state !== 'retiring');
  }

  private fork(): Member {
    const worker = cluster.fork();
    let readyResolve!: () => void;
    let readyReject!: (err: Error) => void;
    let exitedResolve!: () => void;
    const member: Member = {
      worker,
      pid: worker.process.pid ?? -1,
      state: 'starting',
      forkedAt: Date.now(),
      ready: new Promise<void>((resolve, reject) => {
        readyResolve = resolve;
        readyReject = reject;
      }),
      exited: new Promise<void>((resolve) => (exitedResolve = resolve)),
    };
    // Nobody may be waiting on `ready`; an early exit must not become an unhandled rejection.
    member.ready.catch(() => {});
    this.members.set(worker.id, member);
    this.opts.log.info({ worker: member.pid }, 'worker forked');

    worker.on('listening', (address: AddressInfo) => {
      if (member.state !== 'starting') return;
      member.state = 'listening';
      member.stableTimer = setTimeout(() => (this.earlyDeathsInARow = 0), MIN_UPTIME_MS);
      this.opts.log.info({ worker: member.pid }, 'worker listening');
      readyResolve();
      this.announceOnce(address);
    });
    worker.on('exit', (code: number | null, signal: string | null) => {
      clearTimeout(member.stableTimer);
      this.members.delete(worker.id);
      readyReject(new Error(`worker ${member.pid} exited before listening (${signal ?? `code ${code}`})`));
      exitedResolve();
      this.onExit(member, code, signal);
    });
    return member;
  }

  private announceOnce(address: AddressInfo) {
    if (this.announced) return;
    const listening = this.serving().filter((m) => m.state === 'listening').length;
    if (listening < this.opts.size) return;
    this.announced = true;
    this.opts.onUp?.(address, this.opts.size);
  }

  private onExit(member: Member, code: number | null, signal: string | null) {
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (this.stopping) {
      this.opts.log.info({ worker: member.pid, code, signal }, `worker ${member.pid} stopped (${how})`);
      if (this.members.size === 0) this.finishStop();
      return;
    }
    if (member.state === 'retiring') {
      this.opts.log.info({ worker: member.pid, code, signal }, `replaced worker ${member.pid} exited (${how})`);
      return;
    }
    const uptimeMs = Date.now() - member.forkedAt;
    const early = member.state !== 'listening' || uptimeMs < MIN_UPTIME_MS;
    this.earlyDeathsInARow = early ? this.earlyDeathsInARow + 1 : 0;
    const delayMs = restartDelayMs(this.earlyDeathsInARow);
    this.opts.log.warn(
      { worker: member.pid, code, signal, uptimeMs, delayMs, earlyDeathsInARow: this.earlyDeathsInARow },
      early
        ? `worker ${member.pid} died ${uptimeMs} ms after start (${how}); restarting in ${delayMs} ms (\
${this.earlyDeathsInARow} early deaths in a row)`
        : `worker ${member.pid} died (${how}); restarting now`,
    );
    const timer = setTimeout(() => {
      this.replacementTimers.delete(timer);
      // A reload may already have filled the place.
      if (!this.stopping && this.serving().length < this.opts.size) this.fork();
    }, delayMs);
    this.replacementTimers.add(timer);
  }

  /**
   * Asks a worker to drain and exit (SIGTERM: a worker still loading its code, before it has a handler, simply
   * ends); kills it if it has not exited well after the drain budget.
   */
  private retire(member: Member): Promise<void> {
    if (member.state !== 'retiring') {
      member.state = 'retiring';
      clearTimeout(member.stableTimer);
      member.worker.process.kill('SIGTERM');
      const killer = setTimeout(() => {
        this.forcedKill = true;
        this.opts.log.error({ worker: member.pid }, `worker ${member.pid} did not exit after draining; killing it`);
        member.worker.process.kill('SIGKILL');
      }, this.opts.shutdownTimeoutMs + KILL_GRACE_MS);
      void member.exited.then(() => clearTimeout(killer));
    }
    return member.exited;
  }

  /** SIGHUP: replaces every worker, one at a time, without refusing or failing a request. */
  async reload(): Promise<void> {
    if (this.stopping) return;
    if (this.reloading) {
      this.reloadAgain = true;
      return;
    }
    this.reloading = true;
    const log = this.opts.log;
    try {
      do {
        this.reloadAgain = false;
        const old = this.serving();
        log.info({ workers: old.map((m) => m.pid) }, `reloading ${old.length} workers one at a time`);
        for (const member of old) {
          if (this.stopping) return;
          if (!this.members.has(member.worker.id)) continue; // died meanwhile; its replacement is already new
          if (this.opts.singleProcessDb) {
            // Two processes must never open the same embedded data dir: stop first, then start (a short gap).
            await this.retire(member);
            if (this.stopping) return;
            await this.fork().ready;
          } else {
            const fresh = this.fork();
            await fresh.ready;
            void this.retire(member);
          }
        }
        log.info({ workers: this.pids() }, 'reload done');
      } while (this.reloadAgain && !this.stopping);
    } catch (err) {
      // The new worker died at start: keep the old ones serving; the exit handler backs off and replaces.
      log.error({ err }, 'reload stopped: a new worker failed to start; the remaining old workers keep serving');
    } finally {
      this.reloading = false;
    }
  }

  /** SIGTERM/SIGINT: every worker stops accepting and finishes its in-flight requests; then the primary exits. */
  stop(): void {
    if (this.stopping) {
      this.opts.log.warn('second stop signal: killing the workers now');
      this.forcedKill = true;
      for (const m of this.members.values()) m.worker.process.kill('SIGKILL');
      return;
    }
    this.stopping = true;
    for (const timer of this.replacementTimers) clearTimeout(timer);
    this.replacementTimers.clear();
    this.opts.log.info(
      { workers: [...this.members.values()].map((m) => m.pid), timeoutMs: this.opts.shutdownTimeoutMs },
      'stopping: draining the workers',
    );
    if (this.members.size === 0) {
      this.finishStop();
      return;
    }
    for (const m of this.members.values()) void this.retire(m);
  }

  private finishStop() {
    const exitCode = this.forcedKill ? 1 : 0;
    this.opts.log.info({ exitCode }, 'pool stopped');
    if (this.opts.onStopped) this.opts.onStopped(exitCode);
    else process.exit(exitCode);
  }
}
