/**
 * Seeds for the tests that draw at random: each draws from its own seeded
 * generator and prints the seed, and RADAR_TEST_SEED replays a failed run.
 */
import { randomInt } from 'node:crypto';

/** RADAR_TEST_SEED when set, otherwise a fresh seed; printed either way with how to rerun it. */
export function testSeed(what: string): number {
  const given = process.env.RADAR_TEST_SEED;
  const seed = given === undefined || given === '' ? randomInt(2 ** 31) : Number(given);
  if (!Number.isSafeInteger(seed))
    throw new Error(`RADAR_TEST_SEED must be an integer, not '${given}'`);
  console.log(`${what}: seed ${seed} (rerun with RADAR_TEST_SEED=${seed})`);
  return seed;
}

/** A small seeded generator (LCG) of numbers in [0, 1), so a failing draw can be replayed. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    return s / 0x80000000;
  };
}
