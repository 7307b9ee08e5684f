import { describe, expect, it } from 'vitest';
import { type BackupInfo, backupForTarget, parseRestoreTarget } from './pgbackrest.js';

function backup(label: string, stop: string): BackupInfo {
  const stoppedAt = new Date(stop);
  return {
    label,
    type: 'full',
    startedAt: new Date(stoppedAt.getTime() - 5000),
    stoppedAt,
    databaseBytes: 1,
    repositoryBytes: 1,
    walStart: '',
    walStop: '',
  };
}

describe('backupForTarget', () => {
  const backups = [backup('A', '2026-11-30T00:50:00Z'), backup('B', '2026-11-30T00:55:32Z')];

  it('takes a backup that ended in the same whole second as the target (pgBackRest alone finds none)', () => {
    const target = parseRestoreTarget('2026-11-30T00:55:32.676269Z');
    expect(target.type).toBe('time');
    expect(backupForTarget(backups, (target as { time: string }).time)).toBe('B');
  });

  it('takes the newest backup before the target, whatever the zone is written as', () => {
    expect(backupForTarget(backups, '2026-11-30 06:25:31+05:30')).toBe('A');
    expect(backupForTarget(backups, '2026-11-30 06:25:31+0530')).toBe('A');
    expect(backupForTarget(backups, '2026-11-30 01:00:00+00')).toBe('B');
  });

  it('says why when no backup is old enough, or none exists', () => {
    expect(() => backupForTarget(backups, '2026-11-30 00:49:59+00')).toThrow(/no backup ended before .* oldest ended/);
    expect(() => backupForTarget([], '2026-11-30 00:49:59+00')).toThrow(/no backup yet/);
  });
});
