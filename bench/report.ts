/** The markdown (and JSON) a run leaves in bench/results/. */
import type { BenchOptions } from './lib/args.js';
import { formatCount } from './lib/args.js';
import type { ScenarioResult } from './lib/scenario.js';
import { fmtMb, fmtMs, fmtPct, fmtRate } from './lib/stats.js';
import type { BareCeiling, PgbenchRun } from './ceilings.js';
import type { CapturedPlan } from './explain.js';
import { describeLoggedErrors, type LoggedError } from './lib/pglog.js';

export interface MachineInfo {
  name: string;
  cpu: string;
  cores: number;
  memoryGb: number;
  kernel: string;
  node: string;
  postgres: string;
  loadBefore: number[];
  loadAfter: number[];
  /** what `bin/dukaan.js` ran for the server: the build, or the sources through tsx (and why) */
  runtime: string;
}

export interface ScaleRun {
  scale: number;
  stores: number;
  variants: number;
  /** Seconds the generator took when it ran in this run (null: an existing database was reused). */
  seedSeconds: number | null;
  workers: number;
  results: ScenarioResult[];
  plans: CapturedPlan[];
  notes: string[];
}

export interface RunResult {
  opts: BenchOptions;
  machine: MachineInfo;
  started: Date;
  finished: Date;
  scales: ScaleRun[];
  bare: BareCeiling | null;
  pgbench: PgbenchRun[] | null;
  problems: string[];
  /** `--embedded`: the checkout and flash scenarios against the embedded database (bench/lib/embedded.ts) */
  embedded?: { results: ScenarioResult[]; notes: string[] };
  /** `--private-pg`: what the cluster's log says went wrong during the run (bench/lib/pglog.ts) */
  databaseErrors?: LoggedError[];
}

/** Quiet enough to trust: the 1-minute load average below a third of the cores when the run started. */
export function isQuiet(machine: MachineInfo): boolean {
  return (machine.loadBefore[0] ?? Infinity) < machine.cores / 3;
}

type Verdict = 'pass' | 'fail' | 'unmeasured';
const MARK: Record<Verdict, string> = { pass: '✅ pass', fail: '❌ FAIL', unmeasured: '— not measured' };

export interface TargetCheck {
  target: string;
  measured: string;
  verdict: Verdict;
}

function latencyOf(r: ScenarioResult) {
  return (r.focus ?? r.load)?.latency;
}

function ceilingValue(run: RunResult, r: ScenarioResult): number | null {
  if (r.ceiling === 'bare') return run.bare?.rps ?? null;
  if (r.ceiling === 'tpcb') return run.pgbench?.find((p) => p.script === 'tpcb-like')?.tps ?? null;
  return null;
}

export function ratioOf(run: RunResult, r: ScenarioResult): number {
  const ceiling = ceilingValue(run, r);
  return ceiling && r.headline ? r.headline.value / ceiling : NaN;
}

const largest = (run: RunResult) => run.scales[run.scales.length - 1];
const find = (scale: ScaleRun | undefined, name: string) =>
  scale?.results.find((r) => r.name === name && r.state === 'ok');

export function checkTargets(run: RunResult): TargetCheck[] {
  const top = largest(run);
  const checks: TargetCheck[] = [];
  const list = find(top, 'list');
  const conns = run.opts.connections;
  checks.push({
    target: `list ≥ 50 % of the bare-route ceiling, p99 < 50 ms at 64 connections${conns !== 64 ? ` (this run: ${conns})` : ''}`,
    measured: list ? `${fmtPct(ratioOf(run, list))}, p99 ${fmtMs(latencyOf(list)!.p99)} ms` : '–',
    verdict:
      !list || !run.bare ? 'unmeasured' : ratioOf(run, list) >= 0.5 && latencyOf(list)!.p99 < 50 ? 'pass' : 'fail',
  });
  const home = find(top, 'home');
  checks.push({
    target: 'home page HTML ≥ 30 % of the bare-route ceiling',
    measured: home ? fmtPct(ratioOf(run, home)) : '–',
    verdict: !home || !run.bare ? 'unmeasured' : ratioOf(run, home) >= 0.3 ? 'pass' : 'fail',
  });
  const checkout = find(top, 'checkout');
  checks.push({
    target: 'checkout ≥ 40 % of pgbench TPC-B tps, p99 < 100 ms',
    measured: checkout ? `${fmtPct(ratioOf(run, checkout))}, p99 ${fmtMs(latencyOf(checkout)!.p99)} ms` : '–',
    verdict:
      !checkout || !run.pgbench
        ? 'unmeasured'
        : ratioOf(run, checkout) >= 0.4 && latencyOf(checkout)!.p99 < 100
          ? 'pass'
          : 'fail',
  });
  const flash = find(top, 'flash');
  const exact = flash?.flash?.every((r) => r.sold === run.opts.flashStock && r.stockLeft === 0) ?? false;
  const errors = flash?.flash?.reduce((n, r) => n + r.errors, 0) ?? 0;
  checks.push({
    target: `flash sale ≥ 300 orders/s with exactly ${run.opts.flashStock} sold (and no error answers)`,
    measured: flash
      ? `${fmtRate(flash.headline!.value)} orders/s${flash.flashCeiling ? ` (${Math.round((100 * flash.headline!.value) / flash.flashCeiling.ordersPerSecond)} % of the ${fmtRate(flash.flashCeiling.ordersPerSecond)} a no-op burst allows)` : ''}, ${flash.flash!.map((r) => r.sold).join(' / ')} sold${exact ? '' : ' (NOT EXACT)'}${errors ? `, ${errors} error answers` : ''}`
      : '–',
    verdict: !flash ? 'unmeasured' : flash.headline!.value >= 300 && exact && errors === 0 ? 'pass' : 'fail',
  });
  const chat = find(top, 'whatsapp');
  checks.push({
    target: 'WhatsApp: 100 conversations at once, every message answered, p99 < 1 s (webhook → reply sent)',
    measured: chat
      ? `p99 ${fmtMs(chat.load!.latency.p99)} ms, ${chat.load!.ok} answered, ${chat.load!.timeouts} unanswered`
      : '–',
    verdict: !chat ? 'unmeasured' : chat.load!.latency.p99 < 1000 && chat.load!.timeouts === 0 ? 'pass' : 'fail',
  });
  const first = run.scales[0];
  const small = find(first, 'list');
  const big = find(top, 'list');
  const growth = small && big && run.scales.length > 1 ? latencyOf(big)!.p50 / latencyOf(small)!.p50 : NaN;
  checks.push({
    target: 'list p50 at the largest scale within 1.5× of p50 at the smallest',
    measured: Number.isFinite(growth)
      ? `${growth.toFixed(2)}× (${formatCount(first!.scale)} → ${formatCount(top!.scale)})`
      : '–',
    verdict: Number.isFinite(growth) ? (growth <= 1.5 ? 'pass' : 'fail') : 'unmeasured',
  });
  const rss = Math.max(
    ...run.scales.flatMap((s) => s.results.map((r) => r.load?.usage.peakRssPerWorker ?? NaN)).filter(Number.isFinite),
  );
  checks.push({
    target: 'worker RSS < 200 MB',
    measured: Number.isFinite(rss) ? fmtMb(rss) : '–',
    verdict: Number.isFinite(rss) ? (rss < 200 * 1024 * 1024 ? 'pass' : 'fail') : 'unmeasured',
  });
  return checks;
}

/** The server's CPU, and beside it its time waiting for a CPU when known: "69 % (+120 % waiting)". */
export function serverCpuCell(usage: { serverCpu: number; serverCpuWait?: number }): string {
  if (!Number.isFinite(usage.serverCpu)) return '–';
  const wait = usage.serverCpuWait;
  return `${usage.serverCpu.toFixed(0)} %${wait !== undefined && Number.isFinite(wait) ? ` (+${wait.toFixed(0)} % waiting)` : ''}`;
}

function scenarioRow(run: RunResult, r: ScenarioResult): string {
  if (r.state !== 'ok')
    return `| ${r.title} | ${r.state === 'missing' ? 'MISSING' : 'FAILED'} | | | | | | | | | ${r.note ?? ''} |`;
  const lat = latencyOf(r)!;
  const usage = r.load!.usage;
  const load = r.load!;
  const bad = load.errors + load.socketErrors + load.timeouts;
  const errors = `${bad}${load.expected ? ` (+${load.expected} expected 409)` : ''}`;
  return (
    `| ${r.title} | ${fmtRate(r.headline!.value)} ${r.headline!.label} | ${fmtMs(lat.p50)} | ${fmtMs(lat.p90)} | ${fmtMs(lat.p99)} | ${errors} | ` +
    `${r.ceiling ? fmtPct(ratioOf(run, r)) : '–'} | ${serverCpuCell(usage)} | ` +
    `${Number.isFinite(usage.dbCpu) ? `${usage.dbCpu.toFixed(0)} %` : '–'} | ${fmtMb(usage.peakRssPerWorker)} | ` +
    `${r.note ?? ''} |`
  );
}

function dbWorkRow(r: ScenarioResult): string {
  const w = r.db!;
  const p = w.perFlow;
  const f = (v: number, d: number) => (Number.isFinite(v) ? v.toFixed(d) : '–');
  const bytes = Number.isFinite(p.walBytes) ? Math.round(p.walBytes).toLocaleString('en-US') : '–';
  return (
    `| ${r.title} | ${w.flowLabel} | ${w.flows.toLocaleString('en-US')} | ${f(p.commits, 2)} | ` +
    `${p.statements === null ? '–' : f(p.statements, 1)} | ${f(p.walRecords, 1)} | ` +
    `${bytes} | ${f(p.walFlushes, 2)} | ${f(p.rollbacks, 2)} |`
  );
}

/** Where the database's time went per flow, scenario by scenario (bench/lib/dbprofile.ts). */
function renderProfiles(results: readonly ScenarioResult[]): string[] {
  const out = ['### Where the database’s time went', ''];
  out.push(
    '`pg_stat_statements` execution time over the measured run, per flow (the statements taking most of it; ' +
      '`share` is of all statement time), and `pg_stat_activity` sampled every 50 ms during it: what the bench ' +
      'database’s backends running a statement waited for (`CPU`: nothing — running, or runnable and waiting for ' +
      'a core), and those idle in a transaction, waiting for their client.',
  );
  out.push('');
  const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(0)} %` : '–');
  const f = (v: number, d: number) => (Number.isFinite(v) ? v.toFixed(d) : '–');
  for (const r of results) {
    const w = r.db!;
    const p = w.profile!;
    const waits = p.waits
      .slice(0, 6)
      .map((x) => `${x.what} ${pct(x.share)}`)
      .join(', ');
    out.push(
      `**${r.title}**: ${f(p.execMsPerFlow, 2)} ms of statement execution per ${w.flowLabel}; backends running a ` +
        `statement: ${f(p.activeBackends, 1)} on average over ${p.samples} samples — ${waits || 'none seen'}.`,
    );
    out.push('');
    out.push('| statement | calls per flow | ms per flow | mean ms | share |');
    out.push('|---|---|---|---|---|');
    for (const t of p.top)
      out.push(
        `| \`${t.query.replace(/\|/g, '\\|').replace(/`/g, "'")}\` | ${f(t.callsPerFlow, 2)} | ` +
          `${f(t.msPerFlow, 3)} | ${f(t.meanMs, 3)} | ${pct(t.share)} |`,
      );
    out.push('');
  }
  return out;
}

export function renderMarkdown(run: RunResult): string {
  const { opts, machine } = run;
  const top = largest(run);
  const quiet = isQuiet(machine);
  const out: string[] = [];
  out.push(
    `# dukaan benchmark — ${run.started.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine.name}${opts.quick ? ' (quick smoke run)' : ''}`,
  );
  out.push('');
  out.push(
    quiet
      ? `Machine quiet at the start (load average ${machine.loadBefore.map((l) => l.toFixed(2)).join(' / ')} on ${machine.cores} cores).`
      : `**NOISY MACHINE**: load average ${machine.loadBefore.map((l) => l.toFixed(2)).join(' / ')} on ${machine.cores} cores when the run started ` +
          `(${machine.loadAfter.map((l) => l.toFixed(2)).join(' / ')} at the end): other work shared the CPUs, so absolute figures are low and ratios are rough.`,
  );
  out.push('');
  out.push(
    `- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GiB, Linux ${machine.kernel}; Node ${machine.node}; ${machine.postgres}`,
  );
  out.push(
    `- Run: \`npm run bench${process.argv.slice(2).length ? ' -- ' + process.argv.slice(2).join(' ') : ''}\`; ${opts.workers} workers (WEB_CONCURRENCY), ` +
      `${opts.connections} connections, ${opts.duration} s measured after ${opts.warmup} s warm-up per scenario; ` +
      `load generator (autocannon) on the same machine; server ran ${machine.runtime}; ${((run.finished.getTime() - run.started.getTime()) / 60000).toFixed(1)} min in all`,
  );
  out.push(
    `- Data: ${run.scales.map((s) => `${formatCount(s.scale)} products / ${s.stores.toLocaleString('en-US')} stores / ${s.variants.toLocaleString('en-US')} variants${s.seedSeconds !== null ? ` (seeded in ${s.seedSeconds.toFixed(0)} s)` : ' (reused)'}`).join('; ')}; ` +
      `the \`bench\` store has ${opts.benchProducts.toLocaleString('en-US')} products at every scale`,
  );
  if (top && top.workers < opts.workers) {
    out.push(
      `- **Worker pool**: asked for ${opts.workers} workers, saw ${top.workers} worker process(es) under the primary${top.workers === 0 ? ' — the server ran as ONE process' : ''}.`,
    );
  }
  for (const p of run.problems) out.push(`- **Problem**: ${p}`);
  if (run.databaseErrors)
    out.push(
      run.databaseErrors.length
        ? `- **Problem**: ${describeLoggedErrors(run.databaseErrors)}`
        : `- ${describeLoggedErrors(run.databaseErrors)}.`,
    );
  out.push('');

  out.push('## Targets');
  out.push('');
  out.push('| target | measured | verdict |');
  out.push('|---|---|---|');
  for (const c of checkTargets(run)) out.push(`| ${c.target} | ${c.measured} | ${MARK[c.verdict]} |`);
  out.push('');

  out.push('## Ceilings (same machine, same run)');
  out.push('');
  out.push('| ceiling | figure | p50 / p99 | CPU |');
  out.push('|---|---|---|---|');
  if (run.bare) {
    out.push(
      `| bare Fastify route, ${run.bare.bodyBytes.toLocaleString('en-US')}-byte body (the list answer), ${opts.workers} workers, ${opts.connections} connections | ` +
        `${fmtRate(run.bare.rps)} req/s | ${fmtMs(run.bare.latency.p50)} / ${fmtMs(run.bare.latency.p99)} ms | server ${run.bare.usage.serverCpu.toFixed(0)} %, load generator ${run.bare.usage.loadCpu.toFixed(0)} %; peak RSS/worker ${fmtMb(run.bare.usage.peakRssPerWorker)} |`,
    );
  } else {
    out.push('| bare Fastify route | not measured | | |');
  }
  for (const p of run.pgbench ?? []) {
    out.push(
      `| pgbench ${p.script} (${p.clients} clients, scale ${p.scale}) | ${fmtRate(p.tps)} tps | avg ${fmtMs(p.latencyMs)} ms | PostgreSQL ${p.dbCpu.toFixed(0)} % |`,
    );
  }
  if (!run.pgbench) out.push('| pgbench | not measured | | |');
  out.push('');

  if (top) {
    out.push(`## Scenarios at ${formatCount(top.scale)} products`);
    out.push('');
    out.push(
      "Latency in ms, measured by the load generator per request (for flows: the named step). CPU in % of one core, summed over the pool's processes; DB = all PostgreSQL processes.",
    );
    out.push('');
    out.push(
      '| scenario | rate | p50 | p90 | p99 | errors | vs ceiling | server CPU | DB CPU | peak RSS/worker | notes |',
    );
    out.push('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of top.results) out.push(scenarioRow(run, r));
    out.push('');
    const details = top.results.filter((r) => r.details?.length);
    if (details.length) {
      for (const r of details) out.push(`- **${r.title}**: ${r.details!.join('; ')}`);
      out.push('');
    }
    const counted = top.results.filter((r) => r.db);
    if (counted.length) {
      out.push('### Database work per flow');
      out.push('');
      out.push(
        'Deltas of `pg_stat_database` (commits, rollbacks: the bench database), `pg_stat_wal` (WAL records, bytes, ' +
          'flushes: the whole cluster, so other work on it counts too) and `pg_stat_statements` (statements incl. ' +
          'BEGIN/COMMIT, this database) over the measured run, divided by the flows completed.',
      );
      out.push('');
      out.push('| scenario | per | flows | commits | statements | WAL records | WAL bytes | WAL flushes | rollbacks |');
      out.push('|---|---|---|---|---|---|---|---|---|');
      for (const r of counted) out.push(dbWorkRow(r));
      const notes = [...new Set(counted.map((r) => r.db!.statementsNote).filter(Boolean))];
      for (const n of notes) out.push(`\nStatements not counted: ${n}.`);
      out.push('');
      const profiled = counted.filter((r) => r.db!.profile);
      if (profiled.length) out.push(...renderProfiles(profiled));
    }
  }

  if (run.embedded) {
    out.push('## Embedded database (PGlite, one process)');
    out.push('');
    out.push(
      'The same scenarios against `npm start` without `DATABASE_URL`: one server process with the database inside ' +
        'it (a store of 200 products set up through the API). DB CPU is part of server CPU here; no database ' +
        'counters (the database is out of the bench’s reach).',
    );
    out.push('');
    out.push(
      '| scenario | rate | p50 | p90 | p99 | errors | vs ceiling | server CPU | DB CPU | peak RSS/worker | notes |',
    );
    out.push('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of run.embedded.results) out.push(scenarioRow(run, r));
    out.push('');
    for (const r of run.embedded.results.filter((r) => r.details?.length))
      out.push(`- **${r.title}** (embedded): ${r.details!.join('; ')}`);
    for (const n of run.embedded.notes) out.push(`- ${n}`);
    out.push('');
  }

  if (run.scales.length > 1 || opts.scales.length > 1) {
    out.push('## Scale curve (the same 2,000-product store, a growing platform)');
    out.push('');
    out.push(
      '| platform products | stores | list req/s | list p50 | list p99 | search req/s | search p50 | search p99 |',
    );
    out.push('|---|---|---|---|---|---|---|---|');
    for (const s of run.scales) {
      const l = find(s, 'list');
      const q = find(s, 'search');
      const cell = (r: ScenarioResult | undefined) =>
        r ? [fmtRate(r.headline!.value), fmtMs(latencyOf(r)!.p50), fmtMs(latencyOf(r)!.p99)] : ['–', '–', '–'];
      out.push(
        `| ${formatCount(s.scale)} | ${s.stores.toLocaleString('en-US')} | ${cell(l).join(' | ')} | ${cell(q).join(' | ')} |`,
      );
    }
    out.push('');
  }

  const flows = [...new Set(run.scales.flatMap((s) => s.plans.flatMap((p) => p.labels)))];
  if (flows.length) {
    out.push('## Database time per flow, by scale');
    out.push('');
    out.push(
      'Sum of `EXPLAIN ANALYZE` execution times of the statements one request of the flow sends (warm cache, one run: read it for growth, not for absolutes).',
    );
    out.push('');
    out.push(
      `| flow | ${run.scales.map((s) => `${formatCount(s.scale)} (ms)`).join(' | ')} |${run.scales.length > 1 ? ' largest ÷ smallest |' : ''}`,
    );
    out.push(`|---|${run.scales.map(() => '---|').join('')}${run.scales.length > 1 ? '---|' : ''}`);
    for (const flow of flows) {
      const times = run.scales.map((s) =>
        s.plans
          .filter((p) => p.labels.includes(flow))
          .reduce((sum, p) => sum + (Number.isFinite(p.executionMs) ? p.executionMs : 0), 0),
      );
      const growth = times.length > 1 && times[0]! > 0 ? `${(times[times.length - 1]! / times[0]!).toFixed(1)}×` : '';
      out.push(`| ${flow} | ${times.map((t) => fmtMs(t)).join(' | ')} |${run.scales.length > 1 ? ` ${growth} |` : ''}`);
    }
    out.push('');
  }

  out.push('## Query plans');
  out.push('');
  out.push(
    'Every hot statement the services send, explained with `EXPLAIN (ANALYZE, BUFFERS)` on a warm run (full plans in the `.explain.md` file beside this one). A problem is a sequential scan or sort of more than 1,000 rows, or a filter discarding more than 1,000.',
  );
  out.push('');
  out.push('| scale | flow | statement | exec ms | findings |');
  out.push('|---|---|---|---|---|');
  for (const s of run.scales) {
    for (const p of s.plans) {
      const findings = p.error
        ? `could not explain: ${p.error}`
        : p.flags.length
          ? p.flags.map((f) => `${f.severity === 'problem' ? '**PROBLEM**' : 'note'}: ${f.text}`).join('; ')
          : 'index only';
      out.push(
        `| ${formatCount(s.scale)} | ${p.labels.join(', ')} | \`${oneLine(p.sql, 90)}\` | ${fmtMs(p.executionMs)} | ${findings} |`,
      );
    }
  }
  out.push('');
  const notes = run.scales.flatMap((s) => s.notes.map((n) => `${formatCount(s.scale)}: ${n}`));
  if (notes.length) {
    out.push('## Notes');
    out.push('');
    for (const n of notes) out.push(`- ${n}`);
    out.push('');
  }
  return out.join('\n');
}

function oneLine(sql: string, max: number): string {
  const s = sql.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

export function renderExplain(run: RunResult): string {
  const out: string[] = [
    `# Query plans — ${run.started.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${run.machine.name}`,
    '',
  ];
  for (const s of run.scales) {
    out.push(`## ${formatCount(s.scale)} products`, '');
    for (const p of s.plans) {
      out.push(`### ${p.labels.join(', ')}`, '');
      out.push('```sql', p.sql.replace(/\n\s+/g, '\n  '), '```', '');
      out.push(`Parameters: \`${JSON.stringify(p.params).slice(0, 300)}\``, '');
      if (p.flags.length)
        out.push(...p.flags.map((f) => `- ${f.severity === 'problem' ? '**PROBLEM**' : 'note'}: ${f.text}`), '');
      out.push('```', p.error ? `could not explain: ${p.error}` : p.text, '```', '');
    }
  }
  return out.join('\n');
}

/** The figures without the raw samples, for tools that compare runs. */
export function toJson(run: RunResult): unknown {
  return {
    started: run.started.toISOString(),
    finished: run.finished.toISOString(),
    machine: run.machine,
    options: run.opts,
    quiet: isQuiet(run.machine),
    ceilings: { bare: run.bare, pgbench: run.pgbench },
    targets: checkTargets(run),
    problems: run.problems,
    databaseErrors: run.databaseErrors ?? null,
    embedded: run.embedded
      ? {
          notes: run.embedded.notes,
          scenarios: run.embedded.results.map((r) => ({
            name: r.name,
            state: r.state,
            note: r.note,
            headline: r.headline,
            latency: latencyOf(r),
            usage: r.load?.usage,
            flash: r.flash,
            details: r.details,
          })),
        }
      : undefined,
    scales: run.scales.map((s) => ({
      scale: s.scale,
      stores: s.stores,
      variants: s.variants,
      seedSeconds: s.seedSeconds,
      workers: s.workers,
      notes: s.notes,
      scenarios: s.results.map((r) => ({
        name: r.name,
        state: r.state,
        note: r.note,
        headline: r.headline,
        ratio: ratioOf(run, r),
        latency: latencyOf(r),
        statuses: r.load ? Object.fromEntries(r.load.statuses.byStatus) : undefined,
        socketErrors: r.load?.socketErrors,
        timeouts: r.load?.timeouts,
        steps: r.load
          ? Object.fromEntries(
              [...r.load.steps].map(([n, st]) => [
                n,
                { rate: st.rate, latency: st.latency, statuses: Object.fromEntries(st.statuses.byStatus) },
              ]),
            )
          : undefined,
        usage: r.load?.usage,
        flash: r.flash,
        details: r.details,
        db: r.db,
      })),
      plans: s.plans.map((p) => ({
        labels: p.labels,
        sql: p.sql,
        executionMs: p.executionMs,
        flags: p.flags,
        error: p.error,
      })),
    })),
  };
}
