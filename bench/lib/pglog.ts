/**
 * What PostgreSQL logged as going wrong during a run: a load generator sees a deadlock or a failed statement only
 * as a `500` among thousands of answers, the database's log says which. Read from a private cluster's log
 * (`--private-pg`), whose every line is the run's.
 */

export interface LoggedError {
  severity: 'ERROR' | 'FATAL' | 'PANIC';
  message: string;
  count: number;
}

// `2026-11-30 20:06:51.237 UTC [7892] ERROR:  deadlock detected` (the default log_line_prefix, '%m [%p] ')
const LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[\d+\] (ERROR|FATAL|PANIC):\s+(.*)$/;

// The bench asks for each scale's database before seeding it: a connection to one not made yet is refused, as
// meant.
const EXPECTED = [/^database "dukaan_bench[^"]*" does not exist$/];

/** The ERROR, FATAL and PANIC lines of a PostgreSQL log, counted by severity and message, most frequent first. */
export function loggedErrors(log: string): LoggedError[] {
  const counts = new Map<string, LoggedError>();
  for (const line of log.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [, severity, message] = m as unknown as [string, LoggedError['severity'], string];
    if (EXPECTED.some((re) => re.test(message))) continue;
    const key = `${severity}: ${message}`;
    const seen = counts.get(key);
    if (seen) seen.count++;
    else counts.set(key, { severity, message, count: 1 });
  }
  return [...counts.values()].sort((a, b) => b.count - a.count);
}

/** One line for the report: what was logged, or that nothing was. */
export function describeLoggedErrors(errors: readonly LoggedError[]): string {
  if (errors.length === 0) return "PostgreSQL's log (the private cluster): no ERROR, FATAL or PANIC during the run";
  return `PostgreSQL logged ${errors
    .map((e) => `${e.count.toLocaleString('en-US')} × ${e.severity} "${e.message}"`)
    .join(', ')} during the run (the cluster's log; a deadlock or failed statement is a bug to find)`;
}
