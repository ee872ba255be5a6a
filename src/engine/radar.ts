/**
 * The radar as a pure function of signals and rules, computed incrementally.
 * The backtest and the live service both drive this one class: `ingest` each
 * accepted signal, then `flush` to evaluate the rules on the households that
 * changed and learn which indicators were raised, updated or withdrawn.
 */
import { at, outOfRange } from '../at.js';
import { RadarError, SignalRejectedError } from '../errors.js';
import {
  formHouseholds,
  formHouseholdsLinkingNames,
  type FormedHouseholds,
  type FormOptions,
} from '../graph/form-households.js';
import { HouseholdColumns } from '../graph/household-columns.js';
import { graphSignal, type GraphSignal } from '../graph/model.js';
import type { NameRecords } from '../graph/name-links.js';
import {
  Household,
  HouseholdIndex,
  householdId,
  type HouseholdChange,
  type HouseholdIndexOptions,
  type OutsideFacts,
} from '../graph/household-index.js';
import {
  compareRuleInputs,
  compileRuleset,
  type CompiledRule,
  type HouseholdInputs,
  type CompiledRuleset,
  type Indicator,
  type RuleInput,
  type Ruleset,
} from '../rules/index.js';
import {
  packHouseholds,
  RuleInputColumns,
  unpackHouseholds,
  type PackedHouseholds,
  type RowGroups,
} from '../rules/packed-households.js';
import type { Signal } from '../signals/types.js';
import { byCodeUnits, householdSummary, type HouseholdSummary } from './household-summary.js';
import { householdView, type HouseholdView } from './household-view.js';
import { IdTable } from './id-table.js';
import { prepareSignal, type PreparedSignal } from './prepare.js';
import type { WireHead, WireReader } from './prepared-wire.js';
import { indicatorChanges, type IndicatorChange } from './indicator-changes.js';

export {
  indicatorChanges,
  sameIndicator,
  type IndicatorChange,
  type IndicatorEventType,
} from './indicator-changes.js';

export interface RadarOptions extends HouseholdIndexOptions {
  ruleset: Ruleset;
  /**
   * Keep each household's indicators from one flush to the next, to report
   * what changed. A backtest reads them once, at the end, rule by rule
   * (`ruleWork`): without them kept, `flush` and `settle` only fold
   * and every read evaluates afresh, so no more than one rule's indicators
   * are ever held.
   * @defaultValue true
   */
  keepIndicators?: boolean;
  /**
   * Form the households once, from scratch, at the first `settle`: a
   * backtest's radar. Signals are kept as columns of identity keys
   * (`HouseholdColumns`, `formHouseholds`) and no index of persons is kept,
   * a fraction of the memory and the time of keeping households up to date. Such a
   * radar keeps no indicators, takes no signal once settled, cannot
   * `flush` and answers no lookups: only `householdSummaries`, `ruleWork`
   * and `indicators`.
   * @defaultValue false
   */
  formOnce?: boolean;
  /**
   * With `formOnce`: keep the accepted ids once the households are formed,
   * so that `acceptedNumber` answers then too and `householdNumbersInOrder`
   * can (a backlog's plan finds its spooled signals by them); otherwise
   * they are let go at forming.
   * @defaultValue false
   */
  keepAcceptedNumbers?: boolean;
  /**
   * With `formOnce`: keep each signal's rule inputs, which evaluating the
   * rules (`ruleWork`, `packedRuleWork`, `indicators`) reads. A radar that
   * only forms households, as a backlog's plan, does without them: a
   * quarter of what it holds on its heap at twenty years.
   * @defaultValue true
   */
  keepRuleInputs?: boolean;
}

export type IngestOutcome = 'accepted' | 'duplicate';

/** What one `flush` found changed since the previous one. */
export interface RadarChanges {
  indicators: IndicatorChange[];
  /** Households that are new or changed. */
  householdsPut: Household[];
  /** Ids of households that no longer exist (an id put again in the same flush is not listed). */
  householdsDeleted: string[];
}

export interface RadarCounts {
  /** Signals accepted, redeliveries not counted again. */
  accepted: number;
  /** Exact redeliveries of an accepted signal: no-ops. */
  duplicates: number;
  /** Accepted signals (of any kind) that some accepted signal retracts. */
  withdrawn: number;
}

const NO_CHANGE: HouseholdChange = { removed: [], added: [] };

/** A formed-once radar's households before it settles. */
const NO_HOUSEHOLDS: RowGroups = { items: new Int32Array(0), starts: new Int32Array(1) };

export class Radar {
  readonly ruleset: Ruleset;
  readonly households: HouseholdIndex;
  private readonly compiled: CompiledRuleset;
  /**
   * Every accepted signal as prepared, its fingerprint telling a redelivery
   * from a conflict. One map for all a signal's parts: at millions of
   * signals each map more costs a lookup per signal and its own memory.
   */
  private readonly accepted = new Map<string, PreparedSignal>();
  /**
   * With `formOnce`, in place of `accepted`: the accepted ids, numbered, and
   * each one's fingerprint by number. No object a signal: the rule inputs and
   * the columns hold all else.
   */
  private readonly acceptedIds: IdTable | undefined;
  private readonly fingerprints: number[] = [];
  /** Ids retracted by any accepted signal, whether or not they have arrived yet. */
  private readonly retracted = new Set<string>();
  /** With `formOnce`: the retracted ids not accepted yet. */
  private readonly retractedAhead = new Set<string>();
  /** Accepted since the last fold; those retracted in the meantime are skipped. */
  private pendingAdds: PreparedSignal[] = [];
  private readonly pendingRemoves = new Set<string>();
  /** Undefined when indicators are not kept. */
  private readonly indicatorsOf: Map<Household, Indicator[]> | undefined;
  /**
   * Every household id ever formed → its smallest signal, to follow merges.
   * Built at the first lookup: until then only the smallest signals are kept,
   * since an id is a hash and a bulk load forms households by the million.
   */
  private smallestSignalOf: Map<string, string> | undefined;
  private formed: Set<string> | undefined = new Set();
  /** With `formOnce`: the signals in households as columns, and their rule inputs by row unless not kept. */
  private readonly columns: HouseholdColumns | undefined;
  private readonly rowInputs: RuleInputColumns | undefined;
  /** With `formOnce`, once settled: the households, and their ids once asked for. */
  private formedOnce: FormedHouseholds | undefined;
  private formedIds: string[] | undefined;
  private formedSmallest: Int32Array | undefined;
  private duplicates = 0;
  private withdrawn = 0;
  private readonly keepAcceptedNumbers: boolean;
  /** With `formOnce`, once settled: how many were accepted, as `acceptedIds` is emptied then. */
  private acceptedWhenFormed: number | undefined;

  constructor(options: RadarOptions) {
    this.ruleset = options.ruleset;
    this.compiled = compileRuleset(options.ruleset);
    this.households = new HouseholdIndex(options);
    const formOnce = options.formOnce === true;
    if (formOnce && options.keepIndicators === true)
      throw new RadarError(
        'RADAR_OPTIONS_INVALID',
        'a radar that forms households once keeps no indicators',
      );
    this.indicatorsOf = options.keepIndicators === false || formOnce ? undefined : new Map();
    this.columns = formOnce ? new HouseholdColumns(this.households.configured) : undefined;
    this.acceptedIds = formOnce ? new IdTable() : undefined;
    this.keepAcceptedNumbers = options.keepAcceptedNumbers === true;
    this.rowInputs = options.keepRuleInputs === false ? undefined : new RuleInputColumns();
  }

  get counts(): RadarCounts {
    return {
      accepted: this.acceptedWhenFormed ?? this.acceptedIds?.size ?? this.accepted.size,
      duplicates: this.duplicates,
      withdrawn: this.withdrawn,
    };
  }

  /**
   * Folds one accepted signal in. The same id with the same content is a
   * no-op; with other content it is rejected and the first version stays.
   */
  ingest(signal: Signal): IngestOutcome {
    return this.ingestPrepared(prepareSignal(signal));
  }

  /** `ingest` for a signal prepared elsewhere, such as a decode worker. */
  ingestPrepared(prepared: PreparedSignal): IngestOutcome {
    const { acceptedIds, columns } = this;
    if (acceptedIds !== undefined && columns !== undefined) {
      return this.intoColumns(prepared, acceptedIds, columns);
    }
    const { id } = prepared;
    const known = this.accepted.get(id);
    if (known !== undefined) return this.again(id, known.fingerprint, prepared.fingerprint);
    this.accepted.set(id, prepared);
    // Counted once: here when its withdrawal came first, below when it comes later.
    if (this.retracted.has(id)) this.withdrawn++;
    for (const target of prepared.retracts) {
      if (this.retracted.has(target)) continue;
      this.retracted.add(target);
      const withdrawn = this.accepted.get(target);
      if (withdrawn !== undefined) {
        this.withdrawn++;
        // Only its fingerprint is needed any more, to answer redeliveries.
        this.accepted.set(target, { ...withdrawn, rule: undefined, graph: undefined });
      }
      this.pendingRemoves.add(target);
    }
    if (this.active(id)) this.pendingAdds.push(prepared);
    return 'accepted';
  }

  /** A signal whose id was accepted before: a redelivery, or a conflicting version. */
  private again(id: string, known: number, fingerprint: number): IngestOutcome {
    if (known === fingerprint) {
      this.duplicates++;
      return 'duplicate';
    }
    throw new SignalRejectedError(
      'DUPLICATE_ID_CONFLICT',
      `signal ${id} was accepted before with other content; the first version stays`,
      'id',
    );
  }

  /**
   * `ingestPrepared` with `formOnce`: a signal that may be in a household
   * goes into the columns, even one already retracted (settling leaves it
   * out), and only its id and fingerprint are kept besides.
   */
  private intoColumns(
    prepared: PreparedSignal,
    acceptedIds: IdTable,
    columns: HouseholdColumns,
  ): IngestOutcome {
    if (this.formedOnce !== undefined)
      throw new RadarError(
        'RADAR_FORMED_ONCE',
        'this radar formed its households once and takes no more signals',
      );
    const { id, fingerprint, retracts, rule, graph } = prepared;
    const known = acceptedIds.indexOf(id);
    if (known !== -1) {
      const first = this.fingerprints[known] ?? outOfRange(this.fingerprints, known);
      return this.again(id, first, fingerprint);
    }
    acceptedIds.add(id);
    this.fingerprints.push(fingerprint);
    if (rule !== undefined && graph !== undefined) {
      columns.add(id, graph);
      this.rowInputs?.add(rule);
    }
    this.retractAll(id, retracts, acceptedIds);
    return 'accepted';
  }

  /**
   * `ingestPrepared` for the next signal on a wire from a decode worker. A
   * radar that forms its households once reads it straight into its
   * columns, with no object made for the signal.
   */
  ingestWire(wire: WireReader, onAccepted?: (head: WireHead) => void): IngestOutcome {
    const { acceptedIds, columns } = this;
    if (acceptedIds === undefined || columns === undefined) {
      const prepared = wire.read();
      const outcome = this.ingestPrepared(prepared);
      if (outcome === 'accepted') onAccepted?.(prepared);
      return outcome;
    }
    if (this.formedOnce !== undefined)
      throw new RadarError(
        'RADAR_FORMED_ONCE',
        'this radar formed its households once and takes no more signals',
      );
    const { id, fingerprint, retracts } = wire.head();
    const hash = IdTable.hash(id);
    const known = acceptedIds.indexOf(id, hash);
    if (known !== -1) {
      // Read past it even when it is rejected: the wire goes on with the next signal.
      wire.body(id);
      const first = this.fingerprints[known] ?? outOfRange(this.fingerprints, known);
      return this.again(id, first, fingerprint);
    }
    acceptedIds.add(id, hash);
    this.fingerprints.push(fingerprint);
    wire.bodyInto(id, columns, this.rowInputs);
    this.retractAll(id, retracts, acceptedIds);
    onAccepted?.({ id, fingerprint, retracts });
    return 'accepted';
  }

  /**
   * Counts withdrawals as `ingestPrepared` counts them, for a newly accepted
   * signal of a formed-once radar, and notes what it retracts.
   */
  private retractAll(id: string, retracts: readonly string[], acceptedIds: IdTable): void {
    // Looked up only while some retracted id has yet to arrive: rare, and this runs for every signal.
    if (this.retractedAhead.size > 0 && this.retractedAhead.delete(id)) this.withdrawn++;
    for (const target of retracts) {
      if (this.retracted.has(target)) continue;
      this.retracted.add(target);
      if (acceptedIds.indexOf(target) !== -1) this.withdrawn++;
      else this.retractedAhead.add(target);
    }
  }

  /**
   * For a radar that forms its households once, until it has formed them
   * (after too with `keepAcceptedNumbers`): the place of an accepted id in
   * the order accepted (0 for the first), or -1 for an id never accepted.
   */
  acceptedNumber(id: string): number {
    if (this.acceptedIds === undefined)
      throw new RadarError(
        'RADAR_FORMED_ONCE',
        'only a radar that forms its households once numbers its signals',
      );
    return this.acceptedIds.indexOf(id);
  }

  /** Accepted, not withdrawn and not a withdrawal: a signal in some household. */
  private active(id: string): boolean {
    const prepared = this.accepted.get(id);
    return prepared?.rule !== undefined && !this.retracted.has(id);
  }

  /**
   * Finds a household by an id it has now or had before it merged into
   * another: every household id stays tied to its smallest signal.
   */
  resolveHousehold(id: string): { household: Household; mergedFrom?: string } | undefined {
    if (this.smallestSignalOf === undefined) {
      this.smallestSignalOf = new Map();
      for (const smallest of this.formed ?? [])
        this.smallestSignalOf.set(householdId(smallest), smallest);
      this.formed = undefined;
    }
    const smallest = this.smallestSignalOf.get(id);
    const household = smallest === undefined ? undefined : this.households.householdOf(smallest);
    if (household === undefined) return undefined;
    return household.id === id ? { household } : { household, mergedFrom: id };
  }

  /**
   * Folds the signals ingested since the last flush into the households, all
   * in one step, and evaluates the rules on every household that changed.
   * Households, indicators and lookups show the state as of the last flush.
   * Without `keepIndicators`, reports no indicator changes.
   */
  flush(): RadarChanges {
    if (this.columns !== undefined)
      throw new RadarError(
        'RADAR_FORMED_ONCE',
        'a radar that forms households once reports no changes: settle it',
      );
    const { removed, added } = this.fold();
    if (this.indicatorsOf === undefined) {
      return {
        indicators: [],
        householdsPut: [...added],
        householdsDeleted: this.deletedIds(removed, added),
      };
    }
    const before = new Map<string, Indicator>();
    for (const household of removed) {
      for (const i of this.indicatorsOf.get(household) ?? []) before.set(i.indicatorId, i);
      this.indicatorsOf.delete(household);
    }
    const after = new Map<string, Indicator>();
    for (const household of added) {
      const list = this.evaluate(household);
      this.indicatorsOf.set(household, list);
      for (const i of list) after.set(i.indicatorId, i);
    }

    const indicators = indicatorChanges(before, after);
    return {
      indicators,
      householdsPut: [...added],
      householdsDeleted: this.deletedIds(removed, added),
    };
  }

  /** Ids of removed households that no household put again carries. */
  private deletedIds(removed: readonly Household[], added: readonly Household[]): string[] {
    const putIds = new Set<string>();
    for (const household of added) putIds.add(household.id);
    const deleted = new Set<string>();
    for (const household of removed) if (!putIds.has(household.id)) deleted.add(household.id);
    return [...deleted];
  }

  /**
   * `flush` for a reader of the end state alone, such as a backtest: the
   * same households and indicators, without working out what changed.
   */
  settle(): void {
    if (this.columns !== undefined) {
      if (this.formedOnce === undefined) {
        this.keepFormed(formHouseholds(this.columns, this.formOptions(this.columns)), this.columns);
      }
      return;
    }
    const { removed, added } = this.fold();
    const kept = this.indicatorsOf;
    if (kept === undefined) return;
    for (const household of removed) kept.delete(household);
    for (const household of added) kept.set(household, this.evaluate(household));
  }

  /**
   * `settle` for a radar that forms its households once, with the person
   * records linked by name by `link`, in a worker thread say, while this
   * thread does the rest of forming them.
   */
  async settleLinkingNames(link: (names: NameRecords) => Promise<Int32Array>): Promise<void> {
    if (this.columns === undefined || this.formedOnce !== undefined) {
      this.settle();
      return;
    }
    const { columns } = this;
    this.keepFormed(
      await formHouseholdsLinkingNames(columns, this.formOptions(columns), link),
      columns,
    );
  }

  /**
   * With `formOnce`, once settled by `settle`: what an index holding some of
   * these households must be told of the rest (`HouseholdIndexOptions.outside`),
   * as the whole history decides it. An address crowded in the whole
   * history counts as more persons elsewhere than the threshold, a name key
   * with name matching off as two BSNs elsewhere, anything else as
   * nothing: the same decisions as the true counts outside, so a household
   * formed alone in such an index comes out as it was formed here.
   */
  formedOutside(): OutsideFacts {
    const nameKeysOff = this.formedOnce?.nameKeysOff;
    if (nameKeysOff === undefined)
      throw new RadarError(
        'RADAR_FORMED_ONCE',
        'only a radar that formed its households once, by settle, knows what lies outside a household',
      );
    const crowded = new Set(this.formedOnce?.crowdedAddresses);
    const elsewhere = this.households.threshold + 1;
    return {
      personsAt: (addressKey) => (crowded.has(addressKey) ? elsewhere : 0),
      bsnsWithName: (nameKey) => nameKeysOff.get(nameKey) ?? [],
    };
  }

  private formOptions({ ids }: HouseholdColumns): FormOptions {
    return {
      active: (row) => !this.retracted.has(ids[row] ?? outOfRange(ids, row)),
      institutionalPersonThreshold: this.households.threshold,
    };
  }

  private keepFormed(households: FormedHouseholds, columns: HouseholdColumns): void {
    this.formedOnce = households;
    // It takes no more signals, so what only ingesting and forming needed can go: kept,
    // the millions of entries would be marked by every collection while the rules run.
    this.acceptedWhenFormed = this.acceptedIds?.size;
    if (!this.keepAcceptedNumbers) this.acceptedIds?.clear();
    this.fingerprints.length = 0;
    this.retracted.clear();
    this.retractedAhead.clear();
    columns.releaseLinks();
  }

  private fold(): HouseholdChange {
    if (this.pendingAdds.length === 0 && this.pendingRemoves.size === 0) return NO_CHANGE;
    const adds: GraphSignal[] = [];
    for (const prepared of this.pendingAdds) {
      const { id, fingerprint, retracts, rule, graph } = prepared;
      if (this.retracted.has(id)) continue;
      // Only a signal with a household is pending: it has its graph.
      if (graph === undefined) continue;
      adds.push(graphSignal(id, graph));
      // The index holds the graph now; kept here too, its keys would be held twice.
      this.accepted.set(id, { id, fingerprint, retracts, rule, graph: undefined });
    }
    // A removal of an id never folded in changes nothing.
    const change = this.households.apply(adds, this.pendingRemoves);
    this.pendingAdds = [];
    this.pendingRemoves.clear();
    for (const household of change.added) {
      if (this.smallestSignalOf === undefined) this.formed?.add(household.smallestSignalId);
      else this.smallestSignalOf.set(household.id, household.smallestSignalId);
    }
    return change;
  }

  /** What the API reads of a household, as of the last flush. */
  householdView(household: Household): HouseholdView {
    return householdView(
      household,
      this.households.personsOf(household),
      (id) => this.accepted.get(id)?.rule?.region,
      this.indicatorsOfHousehold(household),
    );
  }

  /** Current indicators of a household, as of the last flush. */
  indicatorsOfHousehold(household: Household): readonly Indicator[] {
    if (this.indicatorsOf === undefined) return this.evaluate(household);
    return this.indicatorsOf.get(household) ?? [];
  }

  /** Every current indicator, as of the last flush. */
  *indicators(): IterableIterator<Indicator> {
    if (this.columns !== undefined) {
      for (const { id, inputs } of this.ruleWork().households) {
        yield* this.compiled.evaluate(inputs, id);
      }
    } else if (this.indicatorsOf === undefined) {
      for (const household of this.households.households()) yield* this.evaluate(household);
    } else {
      for (const list of this.indicatorsOf.values()) yield* list;
    }
  }

  /**
   * What evaluating every rule afresh takes: the rules in id order (code-unit
   * order, as the backtest output sorts them) and every household with its
   * rule inputs in the contract's order.
   */
  ruleWork(): { rules: CompiledRule[]; households: HouseholdInputs[] } {
    if (this.columns !== undefined) {
      const { rules, households } = this.packedRuleWork();
      return { rules, households: unpackHouseholds(households) };
    }
    const households: HouseholdInputs[] = [];
    for (const household of this.households.households()) {
      households.push({
        id: household.id,
        inputs: this.inputsOf(household).sort(compareRuleInputs),
      });
    }
    return { rules: this.rulesInIdOrder(), households };
  }

  /**
   * `ruleWork` packed into shared memory for worker threads. A radar that
   * forms its households once packs them straight from its columns, and
   * leaves `householdIds` empty when not `named`, for the caller to fill in
   * from `householdIds` when it has set the workers going.
   */
  packedRuleWork({ named = true } = {}): { rules: CompiledRule[]; households: PackedHouseholds } {
    if (this.columns === undefined) {
      const { rules, households } = this.ruleWork();
      return { rules, households: packHouseholds(households) };
    }
    if (this.rowInputs === undefined)
      throw new RadarError(
        'RADAR_FORMED_ONCE',
        'this radar kept no rule inputs (keepRuleInputs) and evaluates no rules',
      );
    const households = this.formedOnce?.households ?? NO_HOUSEHOLDS;
    const ids = named ? this.householdIds() : [];
    return {
      rules: this.rulesInIdOrder(),
      households: this.rowInputs.pack(households, ids, this.columns.ids),
    };
  }

  /** Every household's id, in the order `packedRuleWork` packs them. */
  householdIds(): string[] {
    if (this.columns !== undefined) return this.formedHouseholdIds(this.columns);
    return [...this.households.households()].map((household) => household.id);
  }

  private rulesInIdOrder(): CompiledRule[] {
    return [...this.compiled.rules].sort((a, b) =>
      a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0,
    );
  }

  /** How many households there are, as of the last flush or settle. */
  get householdCount(): number {
    if (this.columns === undefined) return this.households.size;
    return this.formedOnce?.personCounts.length ?? 0;
  }

  /** Every household as the backtest output shows it, as of the last flush or settle. */
  householdSummaries(): HouseholdSummary[] {
    const summaries: HouseholdSummary[] = [];
    if (this.columns === undefined) {
      for (const household of this.households.households()) {
        summaries.push(householdSummary(this.households, household));
      }
      return summaries;
    }
    if (this.formedOnce === undefined) return summaries;
    const { households, personCounts } = this.formedOnce;
    const { ids } = this.columns;
    for (const [h, id] of this.formedHouseholdIds(this.columns).entries()) {
      summaries.push({
        householdId: id,
        signalIds: signalIdsOf(households, ids, h).sort(byCodeUnits),
        personCount: personCounts[h] ?? outOfRange(personCounts, h),
      });
    }
    return summaries;
  }

  /**
   * `householdSummaries` by smallest signal id, the order of the backtest's
   * output. A radar that formed its households once makes each as it is
   * asked for, so that they die young rather than all living until the
   * last is written: held, they were hundreds of thousands of objects every
   * collection on the way copied or marked.
   */
  *householdSummariesInOrder(): Generator<HouseholdSummary> {
    if (this.columns === undefined || this.formedOnce === undefined) {
      const summaries = this.householdSummaries();
      yield* summaries.sort((a, b) => byCodeUnits(at(a.signalIds, 0), at(b.signalIds, 0)));
      return;
    }
    const names = this.formedHouseholdIds(this.columns);
    const { ids } = this.columns;
    const { households, personCounts } = this.formedOnce;
    for (const h of this.formedInOrder(this.columns)) {
      yield {
        householdId: names[h] ?? outOfRange(names, h),
        signalIds: signalIdsOf(households, ids, h).sort(byCodeUnits),
        personCount: personCounts[h] ?? outOfRange(personCounts, h),
      };
    }
  }

  /**
   * With `keepAcceptedNumbers`, once settled: each household's signals as
   * their accepted numbers (`acceptedNumber`), households and their signals
   * in the order `householdSummariesInOrder` gives them, without naming the
   * households: a backlog's plan finds its spooled signals by these numbers
   * and lets the radar go, ids and all, before it folds.
   */
  *householdNumbersInOrder(): Generator<number[]> {
    const { columns, formedOnce, acceptedIds } = this;
    if (
      columns === undefined ||
      formedOnce === undefined ||
      acceptedIds === undefined ||
      !this.keepAcceptedNumbers
    )
      throw new RadarError(
        'RADAR_FORMED_ONCE',
        'only a radar that formed its households once and kept its accepted numbers gives them by household',
      );
    const { ids } = columns;
    for (const h of this.formedInOrder(columns)) {
      yield signalIdsOf(formedOnce.households, ids, h)
        .sort(byCodeUnits)
        .map((id) => acceptedIds.indexOf(id));
    }
  }

  /** With `formOnce`, once settled: the households' numbers by their smallest signal id. */
  private formedInOrder(columns: HouseholdColumns): Int32Array {
    const { ids } = columns;
    const smallest = this.smallestRows(columns);
    const order = new Int32Array(smallest.length);
    for (let h = 0; h < order.length; h++) order[h] = h;
    return order.sort((a, b) => {
      const rowA = smallest[a] ?? outOfRange(smallest, a);
      const rowB = smallest[b] ?? outOfRange(smallest, b);
      return byCodeUnits(ids[rowA] ?? outOfRange(ids, rowA), ids[rowB] ?? outOfRange(ids, rowB));
    });
  }

  /** With `formOnce`, once settled: each household's row with the smallest signal id. */
  private smallestRows({ ids }: HouseholdColumns): Int32Array {
    if (this.formedSmallest !== undefined) return this.formedSmallest;
    const { items, starts } = this.formedOnce?.households ?? NO_HOUSEHOLDS;
    const smallest = new Int32Array(starts.length - 1);
    for (let h = 0; h < smallest.length; h++) {
      const from = starts[h] ?? outOfRange(starts, h);
      const to = starts[h + 1] ?? outOfRange(starts, h + 1);
      let row = items[from] ?? outOfRange(items, from);
      let rowId = ids[row] ?? outOfRange(ids, row);
      for (let i = from + 1; i < to; i++) {
        const other = items[i] ?? outOfRange(items, i);
        const otherId = ids[other] ?? outOfRange(ids, other);
        if (otherId < rowId) {
          row = other;
          rowId = otherId;
        }
      }
      smallest[h] = row;
    }
    if (this.formedOnce !== undefined) this.formedSmallest = smallest;
    return smallest;
  }

  private formedHouseholdIds(columns: HouseholdColumns): string[] {
    if (this.formedIds !== undefined) return this.formedIds;
    const { ids } = columns;
    const smallest = this.smallestRows(columns);
    const names = new Array<string>(smallest.length);
    for (let h = 0; h < smallest.length; h++) {
      const row = smallest[h] ?? outOfRange(smallest, h);
      names[h] = householdId(ids[row] ?? outOfRange(ids, row));
    }
    if (this.formedOnce !== undefined) this.formedIds = names;
    return names;
  }

  private inputsOf(household: Household): RuleInput[] {
    const inputs: RuleInput[] = [];
    for (const { id } of household.signals) {
      const rule = this.accepted.get(id)?.rule;
      if (rule !== undefined) inputs.push(rule);
    }
    return inputs;
  }

  private evaluate(household: Household): Indicator[] {
    return this.compiled.evaluate(this.inputsOf(household), household.id);
  }
}

/** With `formOnce`, once settled: the signal ids of household h, given the columns' `ids`. */
function signalIdsOf({ items, starts }: RowGroups, ids: readonly string[], h: number): string[] {
  const from = starts[h] ?? outOfRange(starts, h);
  const signalIds = new Array<string>((starts[h + 1] ?? outOfRange(starts, h + 1)) - from);
  for (let i = 0; i < signalIds.length; i++) {
    const row = items[from + i] ?? outOfRange(items, from + i);
    signalIds[i] = ids[row] ?? outOfRange(ids, row);
  }
  return signalIds;
}
