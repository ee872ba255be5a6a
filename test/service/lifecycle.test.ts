import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EXIT_FORCED, Shutdown } from '../../src/service/lifecycle.js';

function setup(timeoutMs = 1000) {
  const signals = new EventEmitter();
  const exits: number[] = [];
  const shutdown = new Shutdown({
    timeoutMs,
    log: pino({ level: 'silent' }),
    exit: (code) => exits.push(code),
    signals,
    lingerMs: 500,
    exitCode: () => 0,
  });
  return { signals, exits, shutdown };
}

describe('graceful shutdown', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('asks for a stop on the first signal, and exits at once on the second', async () => {
    const { signals, exits, shutdown } = setup();
    expect(shutdown.stopping).toBe(false);
    signals.emit('SIGTERM');
    await expect(shutdown.requested).resolves.toBe('SIGTERM');
    expect(shutdown.stopping).toBe(true);
    expect(exits).toEqual([]);
    signals.emit('SIGINT');
    expect(exits).toEqual([EXIT_FORCED]);
    shutdown.dispose();
  });

  it('exits anyway when the stop takes longer than the timeout', () => {
    const { signals, exits, shutdown } = setup(1000);
    signals.emit('SIGINT');
    vi.advanceTimersByTime(999);
    expect(exits).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(exits).toEqual([EXIT_FORCED]);
    shutdown.dispose();
  });

  it('stops the clock once the stop has finished, then exits cleanly if something lingers', () => {
    const { signals, exits, shutdown } = setup(1000);
    signals.emit('SIGTERM');
    vi.advanceTimersByTime(400);
    shutdown.finished();
    vi.advanceTimersByTime(499);
    expect(exits).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(exits).toEqual([0]);
    vi.advanceTimersByTime(5000);
    expect(exits).toEqual([0]);
    shutdown.dispose();
  });

  it('starts the clock without a signal when the service stops on its own', () => {
    const { exits, shutdown } = setup(1000);
    shutdown.begin();
    shutdown.begin();
    expect(shutdown.stopping).toBe(true);
    vi.advanceTimersByTime(1000);
    expect(exits).toEqual([EXIT_FORCED]);
    shutdown.dispose();
  });

  it('stops listening when disposed', () => {
    const { signals, shutdown } = setup();
    shutdown.dispose();
    expect(signals.listenerCount('SIGTERM')).toBe(0);
    expect(signals.listenerCount('SIGINT')).toBe(0);
  });
});
