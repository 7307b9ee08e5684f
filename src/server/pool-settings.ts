/** The pool's own settings from the environment (the rest comes from loadConfig). */

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

/** SHUTDOWN_TIMEOUT_MS: how long a stopping or replaced worker may take to finish its in-flight requests. */
export function shutdownTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SHUTDOWN_TIMEOUT_MS;
  if (raw === undefined || raw === '') return DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`SHUTDOWN_TIMEOUT_MS must be a non-negative integer, got "${raw}"`);
  return n;
}
