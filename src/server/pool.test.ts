import { describe, expect, it } from 'vitest';
import { MAX_RESTART_DELAY_MS, restartDelayMs } from './pool.js';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, shutdownTimeoutMs } from './pool-settings.js';

describe('restartDelayMs', () => {
  it('is 0 after a worker that lived long, then doubles from 100 ms per early death in a row', () => {
    expect(restartDelayMs(0)).toBe(0);
    expect([1, 2, 3, 4, 5].map(restartDelayMs)).toEqual([100, 200, 400, 800, 1600]);
  });
  it('stops growing at 30 s, even after very many deaths', () => {
    expect(restartDelayMs(9)).toBe(25_600);
    expect(restartDelayMs(10)).toBe(MAX_RESTART_DELAY_MS);
    expect(restartDelayMs(10_000)).toBe(30_000);
  });
});

describe('shutdownTimeoutMs', () => {
  it('defaults to 10 s and reads SHUTDOWN_TIMEOUT_MS', () => {
    expect(shutdownTimeoutMs({})).toBe(DEFAULT_SHUTDOWN_TIMEOUT_MS);
    expect(shutdownTimeoutMs({ SHUTDOWN_TIMEOUT_MS: '' })).toBe(10_000);
    expect(shutdownTimeoutMs({ SHUTDOWN_TIMEOUT_MS: '2500' })).toBe(2500);
    expect(shutdownTimeoutMs({ SHUTDOWN_TIMEOUT_MS: '0' })).toBe(0);
  });
  it('refuses what is not a non-negative integer', () => {
    for (const bad of ['-1', '1.5', 'ten', '1e99x'])
      expect(() => shutdownTimeoutMs({ SHUTDOWN_TIMEOUT_MS: bad })).toThrow(/SHUTDOWN_TIMEOUT_MS/);
  });
});
