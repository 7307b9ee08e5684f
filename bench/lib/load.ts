/**
 * Load from autocannon, driven programmatically. A scenario is a list of steps that each virtual customer (one
 * connection) walks in turn, over and over; every response is timed (autocannon's own hrtime per request, in
 * fractional milliseconds) and counted per step, so a checkout's latency is not blurred with its cart's.
 */
import autocannon from 'autocannon';
import { Samples, StatusCounts, type LatencySummary } from './stats.js';
import { UsageMeter, type UsageReport } from './proc.js';

export type FlowContext = Record<string, unknown>;

export interface Step {
  /** Stats key: steps with the same name are counted together. */
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path for this customer now; null abandons the customer's flow (the next one starts from the first step). */
  path: (ctx: FlowContext) => string | null;
  body?: (ctx: FlowContext) => unknown;
  headers?: (ctx: FlowContext) => Record<string, string>;
  /** Reads what the flow needs from the answer (a cart id); only called for 2xx. */
  read?: (body: string, ctx: FlowContext) => void;
  /** Refusals that are part of the scenario (the flash sale's 409s): counted apart from errors. */
  expected?: (status: number) => boolean;
}

export interface StepStats {
  latency: LatencySummary;
  statuses: StatusCounts;
  ok: number;
  expected: number;
  errors: number;
  /** Answers per second of this step. */
  rate: number;
  /** performance.now() of the last 2xx answer (the flash sale's sell-out moment). */
  lastOkAt: number;
}

export interface LoadResult {
  seconds: number;
  requests: number;
  rps: number;
  /** All steps together. */
  latency: LatencySummary;
  statuses: StatusCounts;
  ok: number;
  expected: number;
  /** Non-2xx that were not expected. */
  errors: number;
  /** Connection errors and timeouts (no HTTP answer at all). */
  socketErrors: number;
  timeouts: number;
  steps: Map<string, StepStats>;
  usage: UsageReport;
  startedAt: number;
}

export interface LoadSpec {
  url: string;
  connections: number;
  /** Seconds; or give amount. */
  duration?: number;
  /** Total requests (spread over the connections). */
  amount?: number;
  steps: Step[];
  /** The server's primary process, for CPU and memory; null when measuring a server we did not start. */
  serverPid: number | null;
  timeoutSeconds?: number;
}

interface StepRecorder {
  samples: Samples;
  statuses: StatusCounts;
  ok: number;
  expected: number;
  errors: number;
  lastOkAt: number;
}

/** Runs one measurement. Warm-up is a separate call whose result the caller drops. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const recorders = new Map<string, StepRecorder>();
  const all = new Samples();
  const allStatuses = new StatusCounts();
  let ok = 0;
  let expected = 0;
  let errors = 0;
  // autocannon calls a request's onResponse and then, synchronously, emits 'response' with the duration: the step
  // answered last is the one the duration belongs to.
  let answered: StepRecorder | null = null;
  let lastAnswerAt = 0;

  const requests = spec.steps.map((step) => {
    const rec: StepRecorder = recorders.get(step.name) ?? {
      samples: new Samples(),
      statuses: new StatusCounts(),
      ok: 0,
      expected: 0,
      errors: 0,
      lastOkAt: 0,
    };
    recorders.set(step.name, rec);
    return {
      method: step.method,
      setupRequest: (req: Record<string, unknown>, context: FlowContext) => {
        const path = step.path(context);
        if (path === null) return null;
        const headers: Record<string, string> = { ...(step.headers?.(context) ?? {}) };
        const out: Record<string, unknown> = { ...req, method: step.method, path, headers };
        if (step.body) {
          out.body = JSON.stringify(step.body(context));
          headers['content-type'] = 'application/json';
        } else {
          delete out.body;
        }
        return out;
      },
      onResponse: (status: number, body: string, context: FlowContext) => {
        answered = rec;
        lastAnswerAt = performance.now();
        rec.statuses.add(status);
        allStatuses.add(status);
        if (status >= 200 && status < 300) {
          rec.ok++;
          ok++;
          rec.lastOkAt = performance.now();
          if (step.read) {
            try {
              step.read(body, context);
            } catch {
              context.broken = true;
            }
          }
        } else if (step.expected?.(status)) {
          rec.expected++;
          expected++;
          context.broken = true;
        } else {
          rec.errors++;
          errors++;
          context.broken = true;
        }
      },
    };
  });

  const meter = new UsageMeter(spec.serverPid);
  const startedAt = performance.now();
  meter.start();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        pipelining: 1,
        timeout: spec.timeoutSeconds ?? 10,
        ...(spec.amount !== undefined ? { amount: spec.amount } : { duration: spec.duration ?? 10 }),
        requests: requests as unknown as autocannon.Request[],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
      all.add(ms);
      answered?.samples.add(ms);
      answered = null;
    });
  });
  const usage = meter.stop();
  const seconds = (performance.now() - startedAt) / 1000;
  // With a fixed amount the run lasts until the last answer: autocannon itself reports the end only at its next
  // 1-second tick, which made a 1.05 s burst read as 2 s.
  const measured =
    spec.amount !== undefined
      ? lastAnswerAt > startedAt
        ? (lastAnswerAt - startedAt) / 1000
        : seconds
      : Math.min(seconds, result.duration || seconds);
  const steps = new Map<string, StepStats>();
  for (const [name, rec] of recorders) {
    steps.set(name, {
      latency: rec.samples.summary(),
      statuses: rec.statuses,
      ok: rec.ok,
      expected: rec.expected,
      errors: rec.errors,
      rate: rec.statuses.total / measured,
      lastOkAt: rec.lastOkAt,
    });
  }
  return {
    seconds: measured,
    requests: allStatuses.total,
    rps: allStatuses.total / measured,
    latency: all.summary(),
    statuses: allStatuses,
    ok,
    expected,
    errors,
    socketErrors: result.errors,
    timeouts: result.timeouts,
    steps,
    usage,
    startedAt,
  };
}

/** A flow step that abandons the customer after a refusal earlier in the same flow. */
export function unlessBroken(path: (ctx: FlowContext) => string | null): (ctx: FlowContext) => string | null {
  return (ctx) => (ctx.broken ? null : path(ctx));
}
