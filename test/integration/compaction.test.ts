/**
 * The service compacts its store whole once a backlog is in and nothing
 * more comes, on real LevelDB (its LOG says so), marks what it compacted,
 * and does not compact again until as many signals more have come.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { replayLines } from '../../src/producers/replay.js';
import { COMPACTED_MARK } from '../../src/service/compaction.js';
import { generateSignalLines } from '../../src/synthetic/generate.js';
import { kafka, waitFor } from '../helpers/kafka.js';
import { startService, testConfig, waitUntilConsumed } from './radar-service.js';

const manualCompactions = async (dataDir: string): Promise<number> =>
  (await readFile(join(dataDir, 'LOG'), 'utf8')).split('Manual compaction').length - 1;

describe('compaction after a backlog', () => {
  it('compacts once idle after enough signals, marks it, and waits for as many more', async () => {
    const base = await testConfig();
    const config = {
      ...base,
      store: { sync: false, compactAfterSignals: 200, compactWhenIdleMs: 1000 },
    };
    const lines = [...generateSignalLines({ count: 300, seed: 23, malformed: 0 })];
    const producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    let service = await startService(config);
    try {
      await replayLines(producer, lines, config.kafka.topics, 100);
      await waitUntilConsumed(service, lines.length);
      const accepted = service.status.counts.accepted;
      expect(accepted).toBeGreaterThanOrEqual(200);
      await waitFor(
        async () => (await service.state.store.marks())[COMPACTED_MARK] === String(accepted),
        { timeout: 30_000, delay: 200 },
      );
      expect(await manualCompactions(config.dataDir)).toBeGreaterThan(0);

      // Started again with nothing new: nothing is due, however long it idles.
      await service.stop();
      service = await startService(config);
      const compactions = await manualCompactions(config.dataDir);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(await manualCompactions(config.dataDir)).toBe(compactions);
      expect((await service.state.store.marks())[COMPACTED_MARK]).toBe(String(accepted));
    } finally {
      await producer.disconnect();
      await service.stop();
    }
  });
});
