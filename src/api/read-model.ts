/**
 * The questions case systems ask, answered from the radar in memory and the
 * store's event log, with need to know applied everywhere: a client sees a
 * household only when one of its signals is from a region the client serves,
 * and an indicator only when it sees the indicator's household (or, for a
 * withdrawn indicator whose household is gone, one of its signals' regions).
 *
 * No gRPC here: each method takes a request and returns the response message
 * plus the household and indicator ids it discloses, for the audit log.
 */
import type { Household, Radar } from '../engine/index.js';
import type { GraphSignal } from '../graph/model.js';
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
import type { RadarStore } from '../store/index.js';
import { householdNotFound, indicatorNotFound, invalid } from './errors.js';
import { EventIndex, type LatestEvent } from './events.js';
import { decodePageToken, fingerprint, page, pageSize } from './paging.js';

/** What the API reads; the service may replace its radar on a rebuild, so it is read per call. */
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

export interface ApiState {
  radar: Radar;
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

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function distinctSorted(values: Iterable<string | undefined>): string[] {
  const set = new Set<string>();
  for (const v of values) if (v !== undefined && v !== '') set.add(v);
  return [...set].sort(byCodeUnits);
}

const POSTCODE = /^[0-9]{4}\s*[A-Za-z]{2}$/;
const ADDITION = /^[A-Za-z0-9]{0,4}$/;

export class ReadModel {
  private readonly events = new EventIndex();
  /** Regions of signals no longer in the radar (withdrawn), read from the store on demand. */
  private readonly storedRegions = new Map<string, string>();
  private storedRegionsReadAt = 0;

  constructor(private readonly state: () => ApiState) {}

  /** Reads new events from the store; call before answering. */
  async refresh(): Promise<ApiState> {
    const state = this.state();
    await this.events.catchUp(state.store);
    return state;
  }

  // ---- need to know --------------------------------------------------------

  private householdVisible(radar: Radar, household: Household, access: Access): boolean {
    return household.signals.some((s) => {
      const region = radar.signal(s.id)?.region;
      return region !== undefined && access.regions.has(region);
    });
  }

  private async regionOf(state: ApiState, signalId: string): Promise<string | undefined> {
    const live = state.radar.signal(signalId)?.region;
    if (live !== undefined) return live;
    if (!this.storedRegions.has(signalId) && Date.now() - this.storedRegionsReadAt > 1000) {
      this.storedRegionsReadAt = Date.now();
      for await (const signal of state.store.signals()) {
        if (signal.region !== undefined) this.storedRegions.set(signal.id, signal.region);
      }
    }
    return this.storedRegions.get(signalId);
  }

  /** An indicator is visible with its household; a withdrawn one whose household is gone, by its signals. */
  async indicatorVisible(state: ApiState, indicator: Indicator, access: Access): Promise<boolean> {
    const household = state.radar.resolveHousehold(indicator.householdId)?.household;
    if (household !== undefined && this.householdVisible(state.radar, household, access))
      return true;
    for (const id of indicator.signalIds) {
      const region = await this.regionOf(state, id);
      if (region !== undefined && access.regions.has(region)) return true;
    }
    return false;
  }

  /** Regions an indicator concerns: its household's, or its signals' when the household is gone. */
  private async indicatorRegions(state: ApiState, indicator: Indicator): Promise<Set<string>> {
    const regions = new Set<string>();
    const household = state.radar.resolveHousehold(indicator.householdId)?.household;
    for (const s of household?.signals ?? []) {
      const region = state.radar.signal(s.id)?.region;
      if (region !== undefined) regions.add(region);
    }
    for (const id of indicator.signalIds) {
      const region = await this.regionOf(state, id);
      if (region !== undefined) regions.add(region);
    }
    return regions;
  }

  // ---- GetHousehold --------------------------------------------------------

  async getHousehold(
    request: pb.GetHouseholdRequest,
    access: Access,
  ): Promise<Answer<pb.GetHouseholdResponse>> {
    const state = await this.refresh();
    const { radar } = state;
    let found: Household[];
    let mergedFrom = '';
    if (request.householdId !== undefined) {
      if (request.householdId === '') throw invalid('household_id', 'must not be empty');
      const resolved = radar.resolveHousehold(request.householdId);
      found = resolved === undefined ? [] : [resolved.household];
      mergedFrom = resolved?.mergedFrom ?? '';
    } else if (request.bsn !== undefined) {
      const bsn = /^[0-9]{8}$/.test(request.bsn) ? `0${request.bsn}` : request.bsn;
      if (!isValidBsn(bsn)) throw invalid('bsn', 'must be 8 or 9 digits that pass the elfproef');
      found = [...radar.households.householdsWithBsn(bsn)];
    } else if (request.address !== undefined) {
      found = [...radar.households.householdsAtAddress(this.addressKeyOf(request.address))];
    } else {
      throw invalid('by', 'give one of household_id, bsn or address');
    }
    const visible = found
      .filter((h) => this.householdVisible(radar, h, access))
      .sort((a, b) => byCodeUnits(a.id, b.id));
    if (visible.length === 0) throw householdNotFound();
    const households = visible.map((h) => this.householdMessage(state, h));
    return {
      response: { households, mergedFrom },
      households: households.map((h) => h.householdId),
      indicators: households.flatMap((h) => h.indicators.map((i) => i.indicatorId)),
    };
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
    return addressKey({
      postcode: address.postcode,
      houseNumber: address.houseNumber,
      houseLetter: address.houseLetter,
      addition,
    })!;
  }

  private householdMessage(state: ApiState, household: Household): pb.Household {
    const { radar } = state;
    const signals = household.signals
      .map((g) => ({ graph: g, signal: radar.signal(g.id) }))
      .filter((s): s is { graph: GraphSignal; signal: Signal } => s.signal !== undefined);

    const personOfRef = new Map<string, string>();
    const persons: pb.HouseholdPerson[] = [];
    for (const person of radar.households.personsOf(household)) {
      const bsns: string[] = [];
      const names: (string | undefined)[] = [];
      const initials: (string | undefined)[] = [];
      const birthDates: (string | undefined)[] = [];
      const roles: string[] = [];
      const signalIds: string[] = [];
      for (const record of person.records) {
        personOfRef.set(`${record.signal.id}\u0000${record.ref}`, person.id);
        const written = radar.signal(record.signal.id)?.persons.find((p) => p.ref === record.ref);
        if (record.bsn !== undefined) bsns.push(record.bsn);
        names.push(written?.familyName);
        initials.push(written?.initials);
        birthDates.push(written?.birthDate);
        if (written !== undefined) roles.push(written.role);
        signalIds.push(record.signal.id);
      }
      persons.push({
        personId: person.id,
        bsns: distinctSorted(bsns),
        familyNames: distinctSorted(names),
        initials: distinctSorted(initials),
        birthDates: distinctSorted(birthDates),
        roles: distinctSorted(roles),
        signalIds: distinctSorted(signalIds),
      });
    }
    persons.sort((a, b) => byCodeUnits(a.personId, b.personId));

    const byAddress = new Map<string, { graph: GraphSignal; signal: Signal }[]>();
    for (const s of signals) {
      if (s.graph.addressKey === undefined) continue;
      const list = byAddress.get(s.graph.addressKey);
      if (list === undefined) byAddress.set(s.graph.addressKey, [s]);
      else list.push(s);
    }
    const addresses: pb.HouseholdAddress[] = [...byAddress]
      .map(([key, list]) => {
        list.sort((a, b) => a.graph.t - b.graph.t || byCodeUnits(a.graph.id, b.graph.id));
        const [postcode = '', houseNumber = '0', houseLetter = '', addition = ''] = key.split('|');
        return {
          addressKey: key,
          postcode,
          houseNumber: Number(houseNumber),
          houseLetter,
          addition,
          city: list.map((s) => s.signal.address?.city).find((c) => c !== undefined) ?? '',
          firstSeen: new Date(list[0]!.graph.t).toISOString(),
          lastSeen: new Date(list[list.length - 1]!.graph.t).toISOString(),
          signalIds: distinctSorted(list.map((s) => s.graph.id)),
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
      .sort((a, b) => b.graph.t - a.graph.t || byCodeUnits(b.graph.id, a.graph.id))
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

    const current = radar
      .indicatorsOfHousehold(household)
      .map((i) => this.indicatorMessage(i, true));
    const currentIds = new Set(current.map((i) => i.indicatorId));
    const signalIds = new Set(household.signals.map((s) => s.id));
    const past: pb.Indicator[] = [];
    for (const event of this.events.withdrawn()) {
      const i = event.indicator;
      if (currentIds.has(i.indicatorId)) continue;
      const same =
        radar.resolveHousehold(i.householdId)?.household === household ||
        i.signalIds.some((id) => signalIds.has(id));
      if (same) past.push(this.indicatorMessage(i, false));
    }
    current.sort(
      (a, b) => byCodeUnits(a.raisedAt, b.raisedAt) || byCodeUnits(a.indicatorId, b.indicatorId),
    );
    past.sort(
      (a, b) => byCodeUnits(a.raisedAt, b.raisedAt) || byCodeUnits(a.indicatorId, b.indicatorId),
    );

    return {
      householdId: household.id,
      regions: distinctSorted(signals.map((s) => s.signal.region)),
      persons,
      addresses,
      relations: [...relations.values()],
      timeline,
      indicators: [...current, ...past],
    };
  }

  private indicatorMessage(indicator: Indicator, active: boolean): pb.Indicator {
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
      lastSequence: this.events.of(indicator.indicatorId)?.sequence ?? 0,
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

  async searchHouseholds(
    request: pb.SearchHouseholdsRequest,
    access: Access,
  ): Promise<Answer<pb.SearchHouseholdsResponse>> {
    const { since, size, print, after } = this.query(request, {});
    const state = await this.refresh();
    const { radar } = state;

    const changedHouseholds = new Set<Household>();
    const changeFilter = request.changedAfterSequence > 0 || !Number.isNaN(since);
    if (changeFilter) {
      for await (const event of state.store.events(request.changedAfterSequence)) {
        if (Date.parse(event.recordedAt) < since) continue;
        const h = radar.resolveHousehold(event.indicator.householdId)?.household;
        if (h !== undefined) changedHouseholds.add(h);
      }
    }
    const matches: { household: Household; regions: string[] }[] = [];
    for (const household of radar.households.households()) {
      if (!this.householdVisible(radar, household, access)) continue;
      const regions = distinctSorted(household.signals.map((s) => radar.signal(s.id)?.region));
      if (request.region !== '' && !regions.includes(request.region)) continue;
      const indicators = radar.indicatorsOfHousehold(household);
      if (request.level !== '' && !indicators.some((i) => i.level === request.level)) continue;
      if (request.ruleId !== '' && !indicators.some((i) => i.ruleId === request.ruleId)) continue;
      if (request.active !== undefined && indicators.length > 0 !== request.active) continue;
      if (changeFilter && !changedHouseholds.has(household)) continue;
      matches.push({ household, regions });
    }
    // Summaries are built for the page only: persons are resolved on demand.
    const { items, nextPageToken } = page(matches, (m) => m.household.id, after, size, print);
    const households = items.map(({ household, regions }): pb.HouseholdSummary => {
      const indicators = radar.indicatorsOfHousehold(household);
      let highest = -1;
      for (const i of indicators) highest = Math.max(highest, LEVEL_RANK.get(i.level) ?? -1);
      const last = household.signals.reduce((t, s) => Math.max(t, s.t), -Infinity);
      return {
        householdId: household.id,
        regions,
        signalCount: household.signals.length,
        personCount: radar.households.personsOf(household).size,
        lastSignalAt: new Date(last).toISOString(),
        activeIndicatorCount: indicators.length,
        highestLevel: highest < 0 ? '' : LEVELS[highest]!,
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
    const state = await this.refresh();
    const { radar } = state;

    const candidates: { indicator: Indicator; active: boolean }[] = [];
    const currentIds = new Set<string>();
    for (const indicator of radar.indicators()) currentIds.add(indicator.indicatorId);
    if (request.active !== false)
      for (const indicator of radar.indicators()) candidates.push({ indicator, active: true });
    if (request.active !== true) {
      for (const event of this.events.withdrawn()) {
        if (!currentIds.has(event.indicator.indicatorId))
          candidates.push({ indicator: event.indicator, active: false });
      }
    }
    const wantedHousehold =
      request.householdId === ''
        ? undefined
        : radar.resolveHousehold(request.householdId)?.household;
    const matches: { indicator: Indicator; active: boolean }[] = [];
    for (const { indicator, active } of candidates) {
      if (request.level !== '' && indicator.level !== request.level) continue;
      if (request.ruleId !== '' && indicator.ruleId !== request.ruleId) continue;
      const latest = this.events.of(indicator.indicatorId);
      const sequence = latest?.sequence ?? 0;
      if (request.changedAfterSequence > 0 && sequence <= request.changedAfterSequence) continue;
      if (!Number.isNaN(since) && (latest === undefined || latest.recordedAt < since)) continue;
      if (
        request.householdId !== '' &&
        indicator.householdId !== request.householdId &&
        (wantedHousehold === undefined ||
          radar.resolveHousehold(indicator.householdId)?.household !== wantedHousehold)
      ) {
        continue;
      }
      if (!(await this.indicatorVisible(state, indicator, access))) continue;
      if (
        request.region !== '' &&
        !(await this.indicatorRegions(state, indicator)).has(request.region)
      )
        continue;
      matches.push({ indicator, active });
    }
    // Messages are built for the page only.
    const { items: found, nextPageToken } = page(
      matches,
      (m) => m.indicator.indicatorId,
      after,
      size,
      print,
    );
    const items = found.map(({ indicator, active }) => this.indicatorMessage(indicator, active));
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
    const state = await this.refresh();
    const { radar, ruleset } = state;
    let indicator: Indicator | undefined;
    let active = true;
    for (const i of radar.indicators()) {
      if (i.indicatorId === request.indicatorId) {
        indicator = i;
        break;
      }
    }
    if (indicator === undefined) {
      const event: LatestEvent | undefined = this.events.of(request.indicatorId);
      if (event?.type === 'WITHDRAWN') {
        indicator = event.indicator;
        active = false;
      }
    }
    if (indicator === undefined || !(await this.indicatorVisible(state, indicator, access)))
      throw indicatorNotFound();

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
    const contributions = indicator.signalIds.map((id) => this.contribution(radar, rule, id));
    return {
      response: {
        indicator: this.indicatorMessage(indicator, active),
        rule: ruleText,
        ruleVersionDiffers: rule !== undefined && rule.version !== indicator.ruleVersion,
        contributions,
      },
      households: [indicator.householdId],
      indicators: [indicator.indicatorId],
    };
  }

  private contribution(
    radar: Radar,
    rule: Rule | undefined,
    signalId: string,
  ): pb.SignalContribution {
    const signal = radar.signal(signalId);
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

  /** Whether a stored event may be shown to this client. */
  async eventVisible(state: ApiState, indicator: Indicator, access: Access): Promise<boolean> {
    return this.indicatorVisible(state, indicator, access);
  }
}

/** Whether a signal counts for a rule: in its filter and, for score and temporal rules, a weight or step. */
function counts(rule: Rule, input: ReturnType<typeof toRuleInput>): boolean {
  if (!compileFilter(rule.filter)(input)) return false;
  const correlation = rule.correlation;
  switch (correlation.type) {
    case 'event_count':
    case 'value_count':
      return true;
    case 'score':
      return correlation.weights.some((w) => w.score > 0 && compileFilter(w.filter)(input));
    case 'temporal':
    case 'temporal_ordered':
      return correlation.steps.some((s) => compileFilter(s.filter)(input));
  }
}
