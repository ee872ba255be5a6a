/**
 * The live fold without Kafka: the first N lines of a national history
 * folded in-process, batch by batch, into a LevelDB store on disk, the way
 * `radar serve` folds them (Ingestor, StoreFold, one store write a batch).
 * What it prints bounds `radar serve` from above and says where the bytes
 * go: lines a second, CPU of the whole process (LevelDB's threads
 * included), what LevelDB flushed and what its compactions wrote again
 * (its LOG), and per key family the bytes put a line and held at the end.
 *
 *   node dist/bench/fold.js [--lines 150000] [--batch 1500] [--years 1]
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import leveldown from 'leveldown';
import { Ingestor } from '../src/consumers/ingestor.js';
import type { InboundMessage } from '../src/consumers/messages.js';
import { StoreFold } from '../src/engine/store-fold.js';
import { DEFAULTS, SHIPPED_RULES } from '../src/config/config.js';
import { loadRuleset } from '../src/rules/index.js';
import { openStore } from '../src/store/index.js';
import { bringFoldStateUpToDate } from '../src/service/fold-state.js';
import { bringOccurredIndexUpToDate } from '../src/service/retention.js';
import { createLogger } from '../src/log/logger.js';
import { ensureNationalFile } from './national/data-file.js';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '150000' },
    batch: { type: 'string', default: '1500' },
    years: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
  },
});
const lines = Number(values.lines);
const batchSize = Number(values.batch);

async function* batches(path: string): AsyncGenerator<InboundMessage[]> {
  const input = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let batch: InboundMessage[] = [];
  let offset = 0;
  for await (const line of input) {
    batch.push({
      topic: 'signals',
      partition: 0,
      offset: String(offset++),
      key: null,
      value: Buffer.from(line),
      headers: {},
    });
    if (batch.length === batchSize || offset === lines) {
      yield batch;
      batch = [];
    }
    if (offset === lines) break;
  }
  if (batch.length > 0) yield batch;
}

/** A key's family: its prefix up to and including the `!`. */
function familyOf(key: string): string {
  return key.slice(0, key.indexOf('!') + 1);
}

/** Bytes LevelDB's LOG says it flushed from memtables and wrote in compactions. */
function levelDbWrites(dir: string): { flushedMb: number; compactedMb: number } {
  const log = readFileSync(join(dir, 'LOG'), 'utf8');
  const sum = (pattern: RegExp): number =>
    [...log.matchAll(pattern)].reduce((total, m) => total + Number(m[1]), 0) / 1e6;
  return {
    flushedMb: sum(/Level-0 table #\d+: (\d+) bytes OK/g),
    compactedMb: sum(/=> (\d+) bytes/g),
  };
}

/** Keys and bytes (key and value) held per key family, read straight from LevelDB. */
async function familyBytes(dir: string): Promise<Map<string, { keys: number; bytes: number }>> {
  const db = leveldown(dir);
  await new Promise<void>((resolve, reject) =>
    db.open({ createIfMissing: false }, (e) => (e ? reject(e) : resolve())),
  );
  const families = new Map<string, { keys: number; bytes: number }>();
  const it = db.iterator({ keyAsBuffer: false, valueAsBuffer: false });
  for (let entry = await it.next(); entry !== undefined; entry = await it.next()) {
    const [key, value = ''] = entry;
    const family = familyOf(key);
    const f = families.get(family) ?? { keys: 0, bytes: 0 };
    f.keys++;
    f.bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
    families.set(family, f);
  }
  await it.end();
  await new Promise<void>((resolve) => db.close(() => resolve()));
  return families;
}

/**
 * Bytes put per key family over the whole fold, counted where every write
 * of the store passes: LevelDOWN's chained batch, wrapped on its prototype
 * for this process. What a family holds at the end leaves out what was
 * overwritten.
 */
const puts = new Map<string, number>();
function countPuts(): void {
  const proto = Object.getPrototypeOf(leveldown(tmpdir())) as leveldown.LevelDown;
  // Taken unbound on purpose: each store calls it on its own instance.
  const batch: unknown = Reflect.get(proto, 'batch');
  proto.batch = function (this: leveldown.LevelDown) {
    const chained = Reflect.apply(batch as leveldown.LevelDown['batch'], this, []);
    const put = chained.put.bind(chained);
    chained.put = (key, value) => {
      const family = familyOf(key);
      puts.set(family, (puts.get(family) ?? 0) + Buffer.byteLength(key) + Buffer.byteLength(value));
      return put(key, value);
    };
    return chained;
  };
}

countPuts();
const file = await ensureNationalFile({ years: Number(values.years), seed: 1 });
const ruleset = await loadRuleset(SHIPPED_RULES);
const dir = mkdtempSync(join(tmpdir(), 'radar-fold-'));
const store = await openStore({ dataDir: dir, sync: false });
// What `radar serve` folds with when its configuration says nothing else.
const options = { ruleset, ...DEFAULTS.households };
// Marked as `radar serve` marks a store it makes, so that a kept store is served as it stands.
await bringFoldStateUpToDate(store, options, createLogger('silent'));
await bringOccurredIndexUpToDate(store);
const fold = new StoreFold(store, options);
const ingestor = new Ingestor(fold, new Map(), 0);
const cpu = process.cpuUsage();
const started = performance.now();
let read = 0;
for await (const batch of batches(file.path)) {
  const processed = await ingestor.process(batch);
  await store.write(processed.state);
  read += batch.length;
}
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
// No producer ran: its events count as published, or a service would produce them all at start.
await store.write({ publishedSequence: await store.lastSequence() });
await store.close();
const writes = levelDbWrites(dir);
const families = await familyBytes(dir);
const total = [...families.values()].reduce((t, f) => t + f.bytes, 0);
console.log(
  JSON.stringify(
    {
      lines: read,
      batch: batchSize,
      seconds: Number(seconds.toFixed(1)),
      linesPerSecond: Math.round(read / seconds),
      cpuSeconds: Number(((used.user + used.system) / 1e6).toFixed(1)),
      flushedBytesPerLine: Math.round((writes.flushedMb * 1e6) / read),
      compactedBytesPerLine: Math.round((writes.compactedMb * 1e6) / read),
      putBytesPerLine: Math.round([...puts.values()].reduce((t, b) => t + b, 0) / read),
      heldBytesPerLine: Math.round(total / read),
      families: Object.fromEntries(
        [...new Set([...puts.keys(), ...families.keys()])]
          .map((name) => ({
            name,
            put: Math.round((puts.get(name) ?? 0) / read),
            held: Math.round((families.get(name)?.bytes ?? 0) / read),
            keys: families.get(name)?.keys ?? 0,
          }))
          .sort((a, b) => b.put - a.put)
          .map(({ name, ...f }) => [name, f]),
      ),
    },
    null,
    1,
  ),
);
if (values.keep) console.log(`store kept in ${dir}`);
else rmSync(dir, { recursive: true, force: true });
