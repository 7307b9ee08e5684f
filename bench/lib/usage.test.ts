import { describe, expect, it } from 'vitest';
import { parseSchedWait, UsageMeter } from './proc.js';
import { serverCpuCell } from '../report.js';

describe('time waiting for a CPU', () => {
  it('is the second field of /proc/<pid>/schedstat, in nanoseconds', () => {
    expect(parseSchedWait('2893123456 5790654321 7951\n')).toBe(5_790_654_321);
    expect(parseSchedWait('')).toBeNull();
    expect(parseSchedWait('12 not-a-number 3')).toBeNull();
  });

  it('is shown beside the server CPU when known, and left out when not', () => {
    expect(serverCpuCell({ serverCpu: 69.4, serverCpuWait: 120.2 })).toBe('69 % (+120 % waiting)');
    expect(serverCpuCell({ serverCpu: 69.4, serverCpuWait: Number.NaN })).toBe('69 %');
    expect(serverCpuCell({ serverCpu: 69.4 })).toBe('69 %');
    expect(serverCpuCell({ serverCpu: Number.NaN, serverCpuWait: 5 })).toBe('–');
  });

  it('is read for the whole process tree while it runs: a number, never negative, beside the CPU it used', () => {
    // This process is the tree's root here; it spins 300 ms. How long it waits depends on what else runs on the
    // machine, so only the figure's presence and sign are asserted, and that the spin shows as CPU.
    const meter = new UsageMeter(process.pid);
    meter.start(50);
    const until = performance.now() + 300;
    while (performance.now() < until);
    const usage = meter.stop();
    expect(usage.serverCpu).toBeGreaterThan(50);
    expect(Number.isFinite(usage.serverCpuWait)).toBe(true);
    expect(usage.serverCpuWait).toBeGreaterThanOrEqual(0);
  });
});
