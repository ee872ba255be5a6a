/**
 * Households span partitions, so a radar must consume every signal
 * partition. A second service in the same consumer group would split them;
 * the service says so loudly instead of silently computing half a radar.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/kafka.js';
import { startService, testConfig } from './radar-service.js';

function capturingLogger(): { log: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: pino({ level: 'error' }, sink), lines };
}

describe('one radar per consumer group', () => {
  it('logs an error when another member takes some of the signal partitions', async () => {
    const config = await testConfig();
    const first = capturingLogger();
    const second = capturingLogger();
    const a = await startService(config, first.log);
    const b = await startService(
      { ...config, dataDir: await mkdtemp(join(tmpdir(), 'radar-data-')) },
      second.log,
    );
    try {
      const warned = (lines: string[]): boolean =>
        lines.some((l) => l.includes('only some of the signal partitions'));
      await waitFor(() => warned(first.lines) && warned(second.lines), {
        timeout: 60_000,
        delay: 200,
      });
      expect(warned(first.lines) && warned(second.lines)).toBe(true);
    } finally {
      await b.stop();
      await a.stop();
    }
  });
});
