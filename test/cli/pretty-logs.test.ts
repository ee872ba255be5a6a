/**
 * On a terminal the logs are lines for a person to read, and they are as
 * free of personal data as the JSON lines: censoring happens before printing.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, prettyDestination } from '../../src/log/logger.js';

function printed(write: (log: ReturnType<typeof createLogger>) => void): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  write(createLogger('info', prettyDestination(out, false)));
  out.end();
  return new Promise((done) => out.on('end', () => done(Buffer.concat(chunks).toString('utf8'))));
}

describe('logs on a terminal', () => {
  it('are human-readable lines, not JSON', async () => {
    const text = await printed((log) =>
      log.child({ component: 'consumer' }).info({ accepted: 12 }, 'batch stored'),
    );
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: batch stored .*"accepted":12.*\n$/);
    expect(() => JSON.parse(text.split('\n')[0]!) as unknown).toThrow();
  });

  it('never print a BSN, name or birth date given in a personal field', async () => {
    const text = await printed((log) =>
      log.warn(
        {
          bsn: '111222333',
          signal: { persons: [{ familyName: 'Jansen', birthDate: '1980-02-29' }] },
          nested: { familyName: 'de Vries', initials: 'J.', birthDate: '1975-01-01' },
        },
        'rejected',
      ),
    );
    expect(text).toContain('rejected');
    expect(text).toContain('[personal data removed]');
    for (const personal of ['111222333', 'Jansen', '1980-02-29', 'de Vries', '1975-01-01', 'J.'])
      expect(text).not.toContain(personal);
  });
});
