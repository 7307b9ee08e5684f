/**
 * What a server's processes cost, read from /proc (Linux): CPU time of a process tree and resident memory per
 * process. The pool's CPU is the sum over the primary and its workers, so "150 %" means one and a half cores.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

let clockTicks: number | null = null;

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, almost always 100). */
export function ticksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

export interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime in clock ticks */
  cpuTicks: number;
}

/** Parses /proc/<pid>/stat; the command name is in parentheses and may itself contain spaces or parentheses. */
export function parseStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const pid = Number(text.slice(0, open).trim());
  const comm = text.slice(open + 1, close);
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  return { pid, ppid: Number(fields[1]), comm, cpuTicks: Number(fields[11]) + Number(fields[12]) };
}

export function readStat(pid: number): ProcStat | null {
  try {
    return parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

export function allStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = readStat(Number(entry));
    if (s) stats.push(s);
  }
  return stats;
}

/**
 * Nanoseconds the process has spent runnable but waiting for a CPU: the second field of /proc/<pid>/schedstat.
 * null when the text is not that (a kernel without schedstats).
 */
export function parseSchedWait(text: string): number | null {
  const fields = text.trim().split(/\s+/);
  if (fields.length < 2) return null;
  const waited = Number(fields[1]);
  return Number.isFinite(waited) ? waited : null;
}

function readSchedWait(pid: number): number | null {
  try {
    return parseSchedWait(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8'));
  } catch {
    return null;
  }
}

/** The pid and all its descendants. */
export function processTree(root: number, stats: ProcStat[] = allStats()): number[] {
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const s of stats) if (s.ppid === tree[i]) tree.push(s.pid);
  return tree;
}

/** Resident set now and at its highest (VmHWM), in bytes. */
export function readMemory(pid: number): { rss: number; hwm: number } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}

export interface UsageReport {
  seconds: number;
  /** Percent of one core used by the server's process tree (primary + workers). */
  serverCpu: number;
  /**
   * The same tree's time runnable but waiting for a CPU, in percent of one core's time (NaN: unknown). Next to
   * serverCpu it says how much of the server's wall time went to waiting for PostgreSQL and the load generator to
   * give a core back: a CPU profile counts that waiting as time in whatever call the process was in.
   */
  serverCpuWait: number;
  /** Percent of one core used by all PostgreSQL processes on the machine. */
  dbCpu: number;
  /** Percent of one core used by this process (the load generator). */
  loadCpu: number;
  /** Highest resident set seen per worker process (the primary alone when there are no workers), bytes. */
  peakRssPerWorker: number;
  workers: number;
}

/**
 * A per-process counter (CPU ticks, nanoseconds waited) over a changing set of processes: each pid counts from when
 * it was first seen (0 if born during the run).
 */
class TickLedger {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();

  see(pid: number, value: number, atStart: boolean): void {
    if (!this.first.has(pid)) this.first.set(pid, atStart ? value : 0);
    this.last.set(pid, value);
  }

  total(): number {
    let sum = 0;
    for (const [pid, last] of this.last) sum += last - (this.first.get(pid) ?? last);
    return sum;
  }
}

const isPostgres = (s: ProcStat) => s.comm === 'postgres' || s.comm.startsWith('postgres');

/**
 * Samples a server's process tree and the PostgreSQL processes while a scenario runs, every `intervalMs`: CPU from
 * tick deltas of every process seen (a process that exits between two samples loses at most one interval), and
 * each process's highest resident set.
 */
export class UsageMeter {
  private readonly server = new TickLedger();
  private readonly serverWait = new TickLedger();
  private serverWaitKnown = true;
  private readonly db = new TickLedger();
  private readonly peakRss = new Map<number, number>();
  /** Direct children of the primary that are Node processes: the pool's workers (tsx's esbuild helper is not). */
  private readonly workerPids = new Set<number>();
  private startedAt = 0;
  private cpuStart: NodeJS.CpuUsage = process.cpuUsage();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly rootPid: number | null) {}

  private sample(atStart: boolean): void {
    const stats = allStats();
    for (const s of stats) if (isPostgres(s)) this.db.see(s.pid, s.cpuTicks, atStart);
    if (this.rootPid === null) return;
    const tree = new Set(processTree(this.rootPid, stats));
    for (const s of stats) {
      if (!tree.has(s.pid)) continue;
      this.server.see(s.pid, s.cpuTicks, atStart);
      const waited = readSchedWait(s.pid);
      if (waited === null) this.serverWaitKnown = false;
      else this.serverWait.see(s.pid, waited, atStart);
      if (s.ppid === this.rootPid && s.comm !== 'esbuild') this.workerPids.add(s.pid);
      const mem = readMemory(s.pid);
      if (mem) this.peakRss.set(s.pid, Math.max(this.peakRss.get(s.pid) ?? 0, mem.rss));
    }
  }

  start(intervalMs = 250): void {
    this.startedAt = performance.now();
    this.cpuStart = process.cpuUsage();
    this.sample(true);
    this.timer = setInterval(() => this.sample(false), intervalMs);
    this.timer.unref();
  }

  stop(): UsageReport {
    if (this.timer) clearInterval(this.timer);
    this.sample(false);
    const seconds = (performance.now() - this.startedAt) / 1000;
    const hz = ticksPerSecond();
    const cpu = process.cpuUsage(this.cpuStart);
    const workerPids = [...this.workerPids];
    const rssOf = workerPids.length ? workerPids : this.rootPid === null ? [] : [this.rootPid];
    return {
      seconds,
      serverCpu: this.rootPid === null ? NaN : (this.server.total() / hz / seconds) * 100,
      serverCpuWait:
        this.rootPid === null || !this.serverWaitKnown ? NaN : (this.serverWait.total() / 1e9 / seconds) * 100,
      dbCpu: (this.db.total() / hz / seconds) * 100,
      loadCpu: ((cpu.user + cpu.system) / 1e6 / seconds) * 100,
      peakRssPerWorker: rssOf.length ? Math.max(...rssOf.map((pid) => this.peakRss.get(pid) ?? 0)) : NaN,
      workers: workerPids.length,
    };
  }
}
