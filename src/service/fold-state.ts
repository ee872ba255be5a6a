/**
 * The fold reads its own state from the store (`FoldWrite`), and the
 * households and indicators stored beside it must be what the signals and
 * the current rules make them. Two marks say for which they were made:
 * `fold`, the layout and the reading of identity (bumped when either
 * changes), and `rules`, a digest of the rules. A store whose marks differ
 * is brought up to date once at start. Changed rules alone: every stored
 * household is evaluated anew, a chunk at a time (`reevaluate.ts`). Another
 * fold version (or none: a store from before the fold kept its state): the
 * radar is formed in memory from the stored signals, what is stored is
 * brought in line with it, and the fold state is written anew. Either way
 * every indicator that changed gets its event. A plain restart finds both
 * marks equal and does nothing.
 */
import { hash } from 'node:crypto';
import { personsByAddress } from '../engine/address-persons.js';
import { Radar } from '../engine/index.js';
import { prepareSignal, type PreparedSignal } from '../engine/prepare.js';
import type { HouseholdIndexOptions } from '../graph/household-index.js';
import type { Logger } from '../log/logger.js';
import type { RadarStore } from '../store/index.js';
import { compileRuleset, type Ruleset } from '../rules/index.js';
import { reconcileWithRadar } from './reconcile.js';
import { reevaluateHouseholds } from './reevaluate.js';

/** Bump when the fold's key layout or the reading of identity keys changes. */
export const FOLD_VERSION = '2';

/** Signals per write while the fold state is written anew. */
const CHUNK = 5_000;

export function rulesMark(ruleset: Ruleset): string {
  return hash('sha256', JSON.stringify(ruleset.rules), 'hex');
}

export interface FoldStateOptions extends Omit<HouseholdIndexOptions, 'outside'> {
  ruleset: Ruleset;
}

/** Whether anything was brought up to date. */
export async function bringFoldStateUpToDate(
  store: RadarStore,
  options: FoldStateOptions,
  log: Logger,
  now = new Date(),
): Promise<boolean> {
  const marks = await store.marks();
  const rules = rulesMark(options.ruleset);
  if (marks.fold === FOLD_VERSION && marks.rules === rules) return false;
  const started = Date.now();
  if (marks.fold === FOLD_VERSION) {
    const done = await reevaluateHouseholds(store, compileRuleset(options.ruleset), now);
    await store.write({ marks: { rules } });
    log.info(
      { ...done, ms: Date.now() - started },
      'stored indicators brought in line with the changed rules',
    );
    return true;
  }
  const radar = new Radar(options);
  for await (const signal of store.signals()) radar.ingest(signal);
  radar.flush();
  const reconciled = await reconcileWithRadar(radar, store, now);
  if (reconciled !== undefined) await store.write(reconciled);
  if (marks.fold !== FOLD_VERSION) {
    await store.clearFoldState();
    await writeFoldState(radar, store);
  }
  // The totals a batch adds to, as the radar formed from every stored signal counts them.
  const counters = { withdrawn: radar.counts.withdrawn, households: radar.households.size };
  await store.write({ marks: { fold: FOLD_VERSION, rules }, counters });
  log.info(
    {
      signals: radar.counts.accepted,
      households: radar.households.size,
      events: reconciled?.events?.length ?? 0,
      ms: Date.now() - started,
    },
    'stored state brought up to date with the rules and this version',
  );
  return true;
}

/** Writes the fold state of every stored signal, as the fold would have, in chunks. */
async function writeFoldState(radar: Radar, store: RadarStore): Promise<void> {
  let fold = emptyWrite();
  for await (const signal of store.signals()) {
    const prepared: PreparedSignal = prepareSignal(signal);
    fold.prepared.push(prepared);
    fold.retracted.push(...prepared.retracts);
    if (radar.households.householdOf(signal.id) !== undefined) fold.linked.push(prepared);
    if (fold.prepared.length === CHUNK) {
      await store.write({ fold });
      fold = emptyWrite();
    }
  }
  for (const household of radar.households.households()) {
    const counts = personsByAddress(household, (record) => radar.households.personOf(record));
    for (const [addressKey, persons] of counts) {
      fold.addressPersonsPut.push({ addressKey, householdId: household.id, persons });
    }
    if (fold.addressPersonsPut.length >= CHUNK) {
      await store.write({ fold });
      fold = emptyWrite();
    }
  }
  await store.write({ fold });
}

interface FoldChunk {
  prepared: PreparedSignal[];
  linked: PreparedSignal[];
  retracted: string[];
  addressPersonsPut: { addressKey: string; householdId: string; persons: number }[];
}

function emptyWrite(): FoldChunk {
  return { prepared: [], linked: [], retracted: [], addressPersonsPut: [] };
}
