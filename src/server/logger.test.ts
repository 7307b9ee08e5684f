import { describe, expect, it } from 'vitest';
import { logOptions } from './logger.js';

describe('logOptions', () => {
  it('writes JSON lines when stdout is not a terminal', () => {
    expect(logOptions('info', false)).toEqual({ level: 'info' });
  });

  it('pretty-prints through pino-pretty on a terminal', () => {
    expect(logOptions('debug', true)).toMatchObject({ level: 'debug', transport: { target: 'pino-pretty' } });
  });
});
