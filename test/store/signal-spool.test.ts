import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Signal } from '../../src/signals/types.js';
import { spoolInMemory, spoolOnDisk, type SignalSpool } from '../../src/store/signal-spool.js';
import { signalText } from '../helpers/wire.js';
import { fullSignal } from './samples.js';
import { tempDir } from './temp-dir.js';

/** Written once, run against every spool. */
function spoolContract(
  name: string,
  make: () => Promise<{ spool: SignalSpool; done: () => Promise<void> }>,
) {
  describe(`a signal spool ${name}`, () => {
    // Names with letters outside ASCII, their JSON longer in bytes than in code units, and
    // the signals asked for far enough apart to be read apart, and near enough to be read together.
    const signals: Signal[] = Array.from({ length: 300 }, (_, i) => {
      const signal = fullSignal(`S-${i}`);
      const [first, second] = signal.persons;
      const named = { ...second!, familyName: 'Öztürk Çelik Zoë 😀 '.repeat(i % 7) };
      return { ...signal, persons: [first!, named] };
    });

    it('gives back each signal and its JSON by the number it was put under, in the order asked', async () => {
      const { spool, done } = await make();
      try {
        for (let i = 0; i < signals.length; i += 70)
          await spool.put(signals.slice(i, i + 70).map(signalText));
        await spool.put([]);
        expect(spool.size).toBe(signals.length);
        const asked = [299, 0, 17, 18, 150, 3, 298, 17];
        const got = await spool.get(asked);
        expect(got.map((s) => s.signal)).toEqual(asked.map((n) => signals[n]));
        expect(got.map((s) => s.text)).toEqual(asked.map((n) => JSON.stringify(signals[n])));
        expect(await spool.get([])).toEqual([]);
      } finally {
        await done();
      }
    });

    it('refuses a number it was never given', async () => {
      const { spool, done } = await make();
      try {
        await spool.put(signals.slice(0, 2).map(signalText));
        await expect(spool.get([2])).rejects.toMatchObject({ code: 'INDEX_OUT_OF_RANGE' });
      } finally {
        await done();
      }
    });
  });
}

spoolContract('in memory', () => {
  const spool = spoolInMemory();
  return Promise.resolve({ spool, done: () => spool.close() });
});

spoolContract('on disk', async () => {
  const dir = await tempDir();
  const spool = await spoolOnDisk(join(dir.path, 'spool'));
  return {
    spool,
    done: async () => {
      await spool.close();
      await dir.remove();
    },
  };
});

describe('a signal spool on disk', () => {
  it('is made anew over what a load before left, and deleted when closed', async () => {
    const dir = await tempDir();
    const path = join(dir.path, 'spool');
    try {
      const before = await spoolOnDisk(path);
      await before.put([signalText(fullSignal('S-old'))]);
      const spool = await spoolOnDisk(path);
      expect(spool.size).toBe(0);
      await spool.put([signalText(fullSignal('S-new'))]);
      expect((await spool.get([0])).map((s) => s.signal.id)).toEqual(['S-new']);
      await spool.close();
      expect(existsSync(path)).toBe(false);
    } finally {
      await dir.remove();
    }
  });
});
