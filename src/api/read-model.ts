/**
 * The questions case systems ask, answered from the store alone: household
 * views and indicator records with their indexes (see store/kv-store.ts), so
 * no call walks every household or indicator, and the API serves as soon
 * as the store is open. Need to know is applied everywhere: a client sees a
 * household only when one of its signals is from a region the client
 * serves, and an indicator only when it sees the indicator's household (or,
 * for a withdrawn indicator whose household is gone, one of its signals'
 * regions).
 *
 * No gRPC here: each method takes a request and returns the response message
 * plus the household and indicator ids it discloses, for the audit log.
 */
import { byCodeUnits, distinctSorted } from '../engine/household-summary.js';
import type { HouseholdView } from '../engine/index.js';
import { addressKey } from '../graph/normalize.js';
import * as pb from '../gen/radar/v1/radar.js';
import { compileFilter } from '../rules/filter.js';
import {
  LEVELS,
  explainContribution,
  toRuleInput,
  type Indicator,
  type Rule,
  type Ruleset,
} from '../rules/index.js';
import { isValidBsn } from '../signals/bsn.js';
import { parseTimestamp } from '../signals/index.js';
import { REGIONS, type Signal } from '../signals/types.js';
import type {
  HouseholdIndexName,
  IndicatorIndexName,
  IndicatorRecord,
  RadarStore,
} from '../store/index.js';
import { householdNotFound, indicatorNotFound, invalid } from './errors.js';
import { decodePageToken, encodePageToken, fingerprint, pageSize } from './paging.js';

/** The filter and paging fields SearchHouseholds and ListIndicators share. */
type SharedFilters = Pick<
  pb.SearchHouseholdsRequest & pb.ListIndicatorsRequest,
  | 'region'
  | 'level'
  | 'ruleId'
  | 'active'
  | 'changedAfterSequence'
  | 'changedSince'
  | 'pageSize'
  | 'pageToken'
>;

/** What the API reads; read per call, so a service may swap what it serves. */
export interface ApiState {
  store: RadarStore;
  ruleset: Ruleset;
}

/** Who is calling and which regions it serves. */
export interface Access {
  client: string;
  regions: ReadonlySet<string>;
}

/** A response and what it discloses, for the audit record. */
export interface Answer<T> {
  response: T;
  households: string[];
  indicators: string[];
}

const LEVEL_RANK = new Map<string, number>(LEVELS.map((l, i) => [l, i]));

const POSTCODE = /^[0-9]{4}\s*[A-Za-z]{2}$/;
const ADDITION = /^[A-Za-z0-9]{0,4}$/;

/** A signal with what the view needs of it beside its contract fields. */
interface ShownSignal {
  signal: Signal;
  t: number;
  addressKey: string | undefined;
}

async function collectIds(ids: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const id of ids) all.push(id);
  return all;
}

/** Yields the items of `ids` after `after`, one page of those `keep` accepts, and the token for the next. */
async function pageOf<T>(
  ids: AsyncIterable<string> | Iterable<string>,
  keep: (id: string) => Promise<T | undefined>,
  size: number,
  print: string,
): Promise<{ items: T[]; nextPageToken: string }> {
  const items: T[] = [];
  let lastId = '';
  for await (const id of ids) {
    const item = await keep(id);
    if (item === undefined) continue;
    if (items.length === size) return { items, nextPageToken: encodePageToken(lastId, print) };
    items.push(item);
    lastId = id;
  }
  return { items, nextPageToken: '' };
}

export class ReadModel {
  constructor(private readonly state: () => ApiState) {}

  // ---- households and need to know -----------------------------------------

  private householdVisible(view: HouseholdView, access: Access): boolean {
    return view.regions.some((region) => access.regions.has(region));
  }

  /** A household by an id it has now or had before it merged into another. */
  private async resolveHousehold(
    store: RadarStore,
    id: string,
  ): Promise<{ view: HouseholdView; mergedFrom?: string } | undefined> {
    const view = await store.householdView(id);
    if (view !== undefined) return { view };
    const smallest = await store.smallestSignalOf(id);
    const now = smallest === undefined ? undefined : await store.householdOfSignal(smallest);
    const merged = now === undefined ? undefined : await store.householdView(now);
    return merged === undefined ? undefined : { view: merged, mergedFrom: id };
  }

  private indicatorVisible(record: IndicatorRecord, access: Access): boolean {
    return record.regions.some((region) => access.regions.has(region));
  }

  // ---- GetHousehold --------------------------------------------------------

  async getHousehold(
    request: pb.GetHouseholdRequest,
    access: Access,
  ): Promise<Answer<pb.GetHouseholdResponse>> {
    const { store } = this.state();
    let found: HouseholdView[];
    let mergedFrom = '';
    if (request.householdId !== undefined) {
      if (request.householdId === '') throw invalid('household_id', 'must not be empty');
      const resolved = await this.resolveHousehold(store, request.householdId);
      found = resolved === undefined ? [] : [resolved.view];
      mergedFrom = resolved?.mergedFrom ?? '';
    } else if (request.bsn !== undefined) {
      const bsn = /^[0-9]{8}$/.test(request.bsn) ? `0${request.bsn}` : request.bsn;
      if (!isValidBsn(bsn)) throw invalid('bsn', 'must be 8 or 9 digits that pass the elfproef');
      found = await this.viewsBy(store, 'bsn', bsn);
    } else if (request.address !== undefined) {
      found = await this.viewsBy(store, 'address', this.addressKeyOf(request.address));
    } else {
      throw invalid('by', 'give one of household_id, bsn or address');
    }
    const visible = found.filter((view) => this.householdVisible(view, access));
    if (visible.length === 0) throw householdNotFound();
    const households = await Promise.all(visible.map((view) => this.householdMessage(store, view)));
    return {
      response: { households, mergedFrom },
      households: households.map((h) => h.householdId),
      indicators: households.flatMap((h) => h.indicators.map((i) => i.indicatorId)),
    };
  }

  /** The views listed under `key` in an index, in household id order. */
  private async viewsBy(
    store: RadarStore,
    index: HouseholdIndexName,
    key: string,
  ): Promise<HouseholdView[]> {
    const ids = await collectIds(store.householdIds({ index, key }));
    const views = await Promise.all(ids.map((id) => store.householdView(id)));
    return views.filter((view): view is HouseholdView => view !== undefined);
  }

  private addressKeyOf(address: pb.AddressQuery): string {
    if (!POSTCODE.test(address.postcode.trim()))
      throw invalid('address.postcode', 'must be four digits and two letters');
    if (
      !Number.isInteger(address.houseNumber) ||
      address.houseNumber < 1 ||
      address.houseNumber > 99_999
    ) {
      throw invalid('address.house_number', 'must be between 1 and 99999');
    }
    if (!/^[A-Za-z]?$/.test(address.houseLetter))
      throw invalid('address.house_letter', 'must be one letter');
    const addition = address.addition.replace(/[-/\s]/g, '');
    if (!ADDITION.test(addition))
      throw invalid('address.addition', 'must be up to four letters or digits');
    // Checked above: a postcode and a house number always make a key.
    return (
      addressKey({
        postcode: address.postcode,
        houseNumber: address.houseNumber,
        houseLetter: address.houseLetter,
        addition,
      }) ?? ''
    );
  }

  private async householdMessage(store: RadarStore, view: HouseholdView): Promise<pb.Household> {
    // Asked for in one turn, so that the store reads them together.
    const [stored, { current, past }] = await Promise.all([
      Promise.all(view.signalIds.map((id) => store.signal(id))),
      this.indicatorsOf(store, view),
    ]);
    const signals: ShownSignal[] = [];
    for (const signal of stored) {
      if (signal === undefined) continue;
      signals.push({
        signal,
        t: parseTimestamp(signal.occurredAt ?? ''),
        addressKey: addressKey(signal.address),
      });
    }
    const byId = new Map(signals.map((s) => [s.signal.id, s.signal]));

    const personOfRef = new Map<string, string>();
    const persons: pb.HouseholdPerson[] = view.persons.map(({ personId, records }) => {
      const bsns: (string | undefined)[] = [];
      const names: (string | undefined)[] = [];
      const initials: (string | undefined)[] = [];
      const birthDates: (string | undefined)[] = [];
      const roles: string[] = [];
      for (const [signalId, ref] of records) {
        personOfRef.set(`${signalId}\u0000${ref}`, personId);
        const written = byId.get(signalId)?.persons.find((p) => p.ref === ref);
        if (written === undefined) continue;
        if (written.bsn !== undefined && isValidBsn(written.bsn)) bsns.push(written.bsn);
        names.push(written.familyName);
        initials.push(written.initials);
        birthDates.push(written.birthDate);
        roles.push(written.role);
      }
      return {
        personId,
        bsns: distinctSorted(bsns),
        familyNames: distinctSorted(names),
        initials: distinctSorted(initials),
        birthDates: distinctSorted(birthDates),
        roles: distinctSorted(roles),
        signalIds: distinctSorted(records.map(([signalId]) => signalId)),
      };
    });

    const byAddress = new Map<string, ShownSignal[]>();
    for (const s of signals) {
      if (s.addressKey === undefined) continue;
      const list = byAddress.get(s.addressKey);
      if (list === undefined) byAddress.set(s.addressKey, [s]);
      else list.push(s);
    }
    const addresses: pb.HouseholdAddress[] = [...byAddress]
      .map(([key, list]) => {
        list.sort((a, b) => a.t - b.t || byCodeUnits(a.signal.id, b.signal.id));
        const [postcode = '', houseNumber = '0', houseLetter = '', addition = ''] = key.split('|');
        const first = list[0];
        const last = list[list.length - 1];
        return {
          addressKey: key,
          postcode,
          houseNumber: Number(houseNumber),
          houseLetter,
          addition,
          city: list.map((s) => s.signal.address?.city).find((c) => c !== undefined) ?? '',
          firstSeen: first === undefined ? '' : new Date(first.t).toISOString(),
          lastSeen: last === undefined ? '' : new Date(last.t).toISOString(),
          signalIds: distinctSorted(list.map((s) => s.signal.id)),
        };
      })
      .sort(
        (a, b) => byCodeUnits(b.lastSeen, a.lastSeen) || byCodeUnits(a.addressKey, b.addressKey),
      );

    const relations = new Map<string, pb.HouseholdRelation>();
    for (const { signal } of signals) {
      for (const relation of signal.relations) {
        const from = personOfRef.get(`${signal.id}\u0000${relation.from}`);
        const to = personOfRef.get(`${signal.id}\u0000${relation.to}`);
        if (from === undefined || to === undefined) continue;
        const key = `${from}|${to}|${relation.type}`;
        const known = relations.get(key);
        if (known === undefined) {
          relations.set(key, {
            fromPersonId: from,
            toPersonId: to,
            type: relation.type,
            signalIds: [signal.id],
          });
        } else known.signalIds.push(signal.id);
      }
    }

    const timeline: pb.SignalSummary[] = [...signals]
      .sort((a, b) => b.t - a.t || byCodeUnits(b.signal.id, a.signal.id))
      .map(({ signal }) => ({
        signalId: signal.id,
        kind: signal.kind,
        occurredAt: signal.occurredAt ?? '',
        receivedAt: signal.receivedAt,
        region: signal.region ?? '',
        source: signal.source ?? '',
        category: signal.category ?? '',
        violenceTypes: [...signal.violenceTypes],
        safety: signal.safety,
        childrenPresent: signal.childrenPresent,
        substantiated: signal.substantiated,
        personIds: distinctSorted(
          signal.persons.map((p) => personOfRef.get(`${signal.id}\u0000${p.ref}`)),
        ),
      }));

    return {
      householdId: view.householdId,
      regions: view.regions,
      persons,
      addresses,
      relations: [...relations.values()],
      timeline,
      indicators: [...current, ...past],
    };
  }

  /**
   * A household's current indicators, and the withdrawn ones that were
   * raised on it or on any of its signals, each sorted by when raised.
   */
  private async indicatorsOf(
    store: RadarStore,
    view: HouseholdView,
  ): Promise<{ current: pb.Indicator[]; past: pb.Indicator[] }> {
    // Looked up side by side: each lookup waits on LevelDB, not on the CPU.
    const lists = await Promise.all([
      collectIds(store.indicatorIds({ index: 'household', key: view.householdId })),
      ...view.signalIds.map((key) => collectIds(store.indicatorIds({ index: 'signal', key }))),
    ]);
    const ids = [...new Set(lists.flat())];
    const records = await Promise.all(ids.map((id) => store.indicatorRecord(id)));
    const current: pb.Indicator[] = [];
    const past: pb.Indicator[] = [];
    for (const record of records) {
      if (record === undefined) continue;
      if (record.active && record.indicator.householdId === view.householdId)
        current.push(this.indicatorMessage(record));
      else if (!record.active) past.push(this.indicatorMessage(record));
    }
    const byRaised = (a: pb.Indicator, b: pb.Indicator): number =>
      byCodeUnits(a.raisedAt, b.raisedAt) || byCodeUnits(a.indicatorId, b.indicatorId);
    return { current: current.sort(byRaised), past: past.sort(byRaised) };
  }

  private indicatorMessage({ indicator, active, sequence }: IndicatorRecord): pb.Indicator {
    return {
      indicatorId: indicator.indicatorId,
      ruleId: indicator.ruleId,
      ruleVersion: indicator.ruleVersion,
      level: indicator.level,
      householdId: indicator.householdId,
      raisedAt: indicator.raisedAt,
      lastFiredAt: indicator.lastFiredAt,
      value: indicator.value,
      signalIds: [...indicator.signalIds],
      explanation: indicator.explanation,
      active,
      lastSequence: sequence,
    };
  }

  // ---- SearchHouseholds and ListIndicators ---------------------------------

  /**
   * Checks the filters search and list share, and reads the page token,
   * which is only valid for the same filters (its fingerprint).
   */
  private query(
    request: SharedFilters,
    extra: Record<string, string>,
  ): { since: number; size: number; print: string; after: string | undefined } {
    const since = this.checkFilters(request.region, request.level, request.changedSince);
    const print = fingerprint({
      region: request.region,
      level: request.level,
      ruleId: request.ruleId,
      active: request.active ?? null,
      changed: request.changedAfterSequence,
      since: request.changedSince,
      ...extra,
    });
    return {
      since,
      size: pageSize(request.pageSize),
      print,
      after: decodePageToken(request.pageToken, print),
    };
  }

  /** Checks the shared filters; returns `changed_since` as epoch ms (NaN when not given). */
  private checkFilters(region: string, level: string, changedSince: string): number {
    if (region !== '' && !REGIONS.includes(region)) throw invalid('region', 'must be VT01 … VT26');
    if (level !== '' && !LEVEL_RANK.has(level))
      throw invalid('level', `must be one of ${LEVELS.join(', ')}`);
    if (changedSince === '') return NaN;
    const since = parseTimestamp(changedSince);
    if (Number.isNaN(since)) throw invalid('changed_since', 'must be an RFC 3339 timestamp');
    return since;
  }

  /**
   * The indicators changed after the sequence and at or after `since`:
   * read from the event log from that sequence on, so a recent change
   * costs the events since, not the history.
   */
  private async changedIndicators(
    store: RadarStore,
    afterSequence: number,
    since: number,
  ): Promise<Set<string>> {
    const ids = new Set<string>();
    for await (const event of store.events(afterSequence)) {
      if (Date.parse(event.recordedAt) < since) continue;
      ids.add(event.indicator.indicatorId);
    }
    return ids;
  }

  async searchHouseholds(
    request: pb.SearchHouseholdsRequest,
    access: Access,
  ): Promise<Answer<pb.SearchHouseholdsResponse>> {
    const { since, size, print, after } = this.query(request, {});
    const { store } = this.state();

    let ids: AsyncIterable<string> | Iterable<string>;
    if (request.changedAfterSequence > 0 || !Number.isNaN(since)) {
      const changed = new Set<string>();
      for (const id of await this.changedIndicators(store, request.changedAfterSequence, since)) {
        const record = await store.indicatorRecord(id);
        const household =
          record === undefined
            ? undefined
            : await this.resolveHousehold(store, record.indicator.householdId);
        if (household !== undefined) changed.add(household.view.householdId);
      }
      ids = [...changed].sort(byCodeUnits).filter((id) => after === undefined || id > after);
    } else if (request.region !== '') {
      ids = store.householdIds({ index: 'region', key: request.region }, after);
    } else if (request.level !== '') {
      ids = store.householdIds({ index: 'level', key: request.level }, after);
    } else if (request.ruleId !== '') {
      ids = store.householdIds({ index: 'rule', key: request.ruleId }, after);
    } else {
      ids = store.householdIds(undefined, after);
    }

    const { items, nextPageToken } = await pageOf(
      ids,
      async (id) => {
        const view = await store.householdView(id);
        if (view === undefined || !this.householdVisible(view, access)) return undefined;
        if (request.region !== '' && !view.regions.includes(request.region)) return undefined;
        if (request.level !== '' && !view.indicatorLevels.includes(request.level)) return undefined;
        if (request.ruleId !== '' && !view.indicatorRules.includes(request.ruleId))
          return undefined;
        if (request.active !== undefined && view.activeIndicatorCount > 0 !== request.active)
          return undefined;
        return view;
      },
      size,
      print,
    );
    const households = items.map((view): pb.HouseholdSummary => {
      let highest = -1;
      for (const level of view.indicatorLevels)
        highest = Math.max(highest, LEVEL_RANK.get(level) ?? -1);
      return {
        householdId: view.householdId,
        regions: view.regions,
        signalCount: view.signalIds.length,
        personCount: view.persons.length,
        lastSignalAt: new Date(view.lastSignalAt).toISOString(),
        activeIndicatorCount: view.activeIndicatorCount,
        highestLevel: LEVELS[highest] ?? '',
      };
    });
    return {
      response: { households, nextPageToken },
      households: households.map((h) => h.householdId),
      indicators: [],
    };
  }

  async listIndicators(
    request: pb.ListIndicatorsRequest,
    access: Access,
  ): Promise<Answer<pb.ListIndicatorsResponse>> {
    const { since, size, print, after } = this.query(request, { household: request.householdId });
    const { store } = this.state();

    const wanted =
      request.householdId === ''
        ? undefined
        : ((await this.resolveHousehold(store, request.householdId))?.view.householdId ?? '');
    let ids: AsyncIterable<string> | Iterable<string>;
    if (request.changedAfterSequence > 0 || !Number.isNaN(since)) {
      const changed = await this.changedIndicators(store, request.changedAfterSequence, since);
      ids = [...changed].sort(byCodeUnits).filter((id) => after === undefined || id > after);
    } else {
      const by = leadingIndicatorIndex(request, wanted);
      ids = store.indicatorIds(by, after);
    }

    const { items: found, nextPageToken } = await pageOf(
      ids,
      async (id) => {
        const record = await store.indicatorRecord(id);
        if (record === undefined) return undefined;
        const { indicator, active } = record;
        if (request.active !== undefined && active !== request.active) return undefined;
        if (request.level !== '' && indicator.level !== request.level) return undefined;
        if (request.ruleId !== '' && indicator.ruleId !== request.ruleId) return undefined;
        if (
          wanted !== undefined &&
          indicator.householdId !== request.householdId &&
          (await this.resolveHousehold(store, indicator.householdId))?.view.householdId !== wanted
        ) {
          return undefined;
        }
        if (!this.indicatorVisible(record, access)) return undefined;
        if (request.region !== '' && !record.regions.includes(request.region)) return undefined;
        return record;
      },
      size,
      print,
    );
    const items = found.map((record) => this.indicatorMessage(record));
    return {
      response: { indicators: items, nextPageToken },
      households: distinctSorted(items.map((i) => i.householdId)),
      indicators: items.map((i) => i.indicatorId),
    };
  }

  // ---- ExplainIndicator ----------------------------------------------------

  async explainIndicator(
    request: pb.ExplainIndicatorRequest,
    access: Access,
  ): Promise<Answer<pb.ExplainIndicatorResponse>> {
    if (request.indicatorId === '') throw invalid('indicator_id', 'must not be empty');
    const { store, ruleset } = this.state();
    const record = await store.indicatorRecord(request.indicatorId);
    if (record === undefined || !this.indicatorVisible(record, access)) throw indicatorNotFound();
    const { indicator } = record;

    const rule = ruleset.rules.find((r) => r.id === indicator.ruleId);
    const source = ruleset.sources.get(indicator.ruleId);
    const ruleText: pb.RuleText | undefined =
      rule === undefined
        ? undefined
        : {
            ruleId: rule.id,
            version: rule.version,
            title: rule.title,
            level: rule.level,
            text: source?.text ?? '',
            file: source?.file ?? '',
            line: source?.line ?? 0,
          };
    const contributions = await Promise.all(
      indicator.signalIds.map((id) => this.contribution(store, rule, id)),
    );
    return {
      response: {
        indicator: this.indicatorMessage(record),
        rule: ruleText,
        ruleVersionDiffers: rule !== undefined && rule.version !== indicator.ruleVersion,
        contributions,
      },
      households: [indicator.householdId],
      indicators: [indicator.indicatorId],
    };
  }

  private async contribution(
    store: RadarStore,
    rule: Rule | undefined,
    signalId: string,
  ): Promise<pb.SignalContribution> {
    // A signal in no household is withdrawn (or was never accepted).
    const signal =
      (await store.householdOfSignal(signalId)) === undefined
        ? undefined
        : await store.signal(signalId);
    if (signal === undefined) {
      return {
        signalId,
        counts: false,
        reasons: [`Signaal ${signalId} is ingetrokken en telt niet meer mee.`],
      };
    }
    if (rule === undefined) {
      return { signalId, counts: false, reasons: ['De regel staat niet meer in de regelset.'] };
    }
    const input = toRuleInput(signal);
    return { signalId, counts: counts(rule, input), reasons: explainContribution(rule, input) };
  }

  // ---- WatchIndicators -----------------------------------------------------

  /** Whether a stored event may be shown to this client: its indicator as the event shows it. */
  async eventVisible(indicator: Indicator, access: Access): Promise<boolean> {
    const { store } = this.state();
    const household = await this.resolveHousehold(store, indicator.householdId);
    if (household !== undefined && this.householdVisible(household.view, access)) return true;
    for (const id of indicator.signalIds) {
      const region = (await store.signal(id))?.region;
      if (region !== undefined && access.regions.has(region)) return true;
    }
    return false;
  }
}

/**
 * The index a ListIndicators request pages through: the most selective of
 * its filters that has one. An old id of a merged household leads nowhere,
 * as its indicators carry either id.
 */
function leadingIndicatorIndex(
  request: pb.ListIndicatorsRequest,
  wanted: string | undefined,
): { index: IndicatorIndexName; key: string } | undefined {
  if (wanted !== undefined)
    return wanted === request.householdId ? { index: 'household', key: wanted } : undefined;
  if (request.ruleId !== '') return { index: 'rule', key: request.ruleId };
  if (request.region !== '') return { index: 'region', key: request.region };
  if (request.level !== '') return { index: 'level', key: request.level };
  return undefined;
}

/** Whether a signal counts for a rule: in its filter and, for score and temporal rules, a weight or step. */
function counts(rule: Rule, input: ReturnType<typeof toRuleInput>): boolean {
  if (!compileFilter(rule.filter)(input)) return false;
  const correlation = rule.correlation;
  switch (correlation.type) {
    case 'event_count':
    case 'value_count':
    case 'first_seen':
      return true;
    case 'score':
      return correlation.weights.some((w) => w.score > 0 && compileFilter(w.filter)(input));
    case 'temporal':
    case 'temporal_ordered':
      return correlation.steps.some((s) => compileFilter(s.filter)(input));
  }
}
