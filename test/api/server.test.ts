/**
 * The gRPC API end to end: a real server on a real port with certificates
 * made by openssl, clients authenticating with mutual TLS, the shared
 * scenario signals ingested through the Radar, and the audit log on disk.
 */
import { mkdtempSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../src/api/index.js';
import {
  AuditLog,
  auditVerifyCommand,
  verifyAuditLog,
  type AuditRecord,
} from '../../src/audit/index.js';
import {
  ExplainIndicatorRequest,
  GetHouseholdRequest,
  IndicatorEventType,
  ListIndicatorsRequest,
  SearchHouseholdsRequest,
  WatchIndicatorsRequest,
  type RadarServiceClient,
  type WatchIndicatorsResponse,
} from '../../src/gen/radar/v1/radar.js';
import {
  callMetadata,
  client,
  failure,
  Fixture,
  makePki,
  scenarioSignals,
  signal,
  unary,
  type DevPki,
} from './helpers.js';
import { healthClient } from '../helpers/health-client.js';
import { waitFor } from '../helpers/kafka.js';

const VT09 = 'vt09-case-system';
const VT01 = 'vt01-case-system';
const UNKNOWN = 'vt99-unknown';
const CLIENTS = { [VT09]: ['VT09'], [VT01]: ['VT01'] };

const dir = mkdtempSync(join(tmpdir(), 'radar-api-'));
let pki: DevPki;
/** The state of the describe block that runs now; each sets up its own with `freshWorld`. */
let auditPath: string;
let fixture: Fixture;
let audit: AuditLog;
let server: ApiServer;
let vt09: RadarServiceClient;
let vt01: RadarServiceClient;
/** Id of the scenario-03 household before scenario 01 merges into it. */
let householdBeforeMerge: string;

async function start(options: { maxMessageBytes?: number } = {}): Promise<ApiServer> {
  return startApiServer({
    state: () => fixture.state,
    tls: { key: pki.server.key, cert: pki.server.cert, ca: pki.ca },
    clients: CLIENTS,
    auditLog: audit,
    host: '127.0.0.1',
    port: 0,
    ...options,
  });
}

async function auditRecords(): Promise<AuditRecord[]> {
  return (await readFile(auditPath, 'utf8'))
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as AuditRecord);
}

async function lastAudit(): Promise<AuditRecord> {
  return (await auditRecords()).at(-1)!;
}

beforeAll(() => {
  pki = makePki(dir, [VT09, VT01, UNKNOWN]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let worlds = 0;

/**
 * Gives the describe block it is called in a world of its own: a radar fed
 * the scenarios, an audit log, a server and a client per region, so that no
 * block depends on what another did to them. `merged`: scenario 01 is
 * ingested too, merging into the household `householdBeforeMerge` names.
 */
function freshWorld({ merged }: { merged: boolean }): void {
  beforeAll(async () => {
    fixture = await Fixture.create();
    const late = await scenarioSignals('03-late-and-withdrawn.ndjson');
    // Ingested in two batches, so the withdrawal W-1 withdraws an indicator that was raised.
    await fixture.ingest(late.filter((s) => s.kind !== 'INTREKKING'));
    await fixture.ingest(await scenarioSignals('02-shelter-does-not-merge.ndjson'));
    await fixture.ingest([
      signal({
        id: 'X-1',
        region: 'VT01',
        occurredAt: '2024-01-05T10:00:00Z',
        persons: [{ ref: 'a', bsn: '100000009', role: 'SLACHTOFFER' }],
        address: { postcode: '1011 AA', houseNumber: 5 },
      }),
      signal({
        id: 'X-2',
        region: 'VT01',
        occurredAt: '2024-03-05T10:00:00Z',
        kind: 'POLITIE',
        source: 'POLITIE',
        persons: [{ ref: 'a', bsn: '100000009', role: 'SLACHTOFFER' }],
      }),
      signal({
        id: 'X-3',
        region: 'VT01',
        occurredAt: '2024-05-05T10:00:00Z',
        persons: [{ ref: 'a', bsn: '100000009', role: 'SLACHTOFFER' }],
      }),
    ]);
    await fixture.ingest(late.filter((s) => s.kind === 'INTREKKING'));
    householdBeforeMerge = fixture.householdOf('V-1');
    if (merged) await fixture.ingest(await scenarioSignals('01-one-family-three-sources.ndjson'));
    auditPath = join(dir, `audit-${++worlds}.ndjson`);
    audit = await AuditLog.open(auditPath);
    server = await start();
    vt09 = client(pki, server.port, VT09);
    vt01 = client(pki, server.port, VT01);
  }, 60_000);

  afterAll(async () => {
    vt09.close();
    vt01.close();
    await server.stop();
    await audit.close();
  });
}

/** Reads events until `stop` says so; resolves with what was received. */
function watch(
  c: RadarServiceClient,
  after: number,
  stop: (received: WatchIndicatorsResponse[]) => boolean,
) {
  const received: WatchIndicatorsResponse[] = [];
  const stream = c.watchIndicators(
    WatchIndicatorsRequest.fromPartial({ afterSequence: after }),
    callMetadata(),
  );
  const done = new Promise<WatchIndicatorsResponse[]>((resolve, reject) => {
    stream.on('data', (event: WatchIndicatorsResponse) => {
      received.push(event);
      if (stop(received)) {
        stream.cancel();
        resolve(received);
      }
    });
    stream.on('error', (error: ServiceError) =>
      error.code === status.CANCELLED ? resolve(received) : reject(error),
    );
    stream.on('end', () => resolve(received));
  });
  return { done, stream, received };
}

describe('radar.v1.RadarService over mutual TLS', () => {
  // The merge is one of the tests here.
  freshWorld({ merged: false });

  it('answers the standard health check', async () => {
    const health = healthClient(
      `localhost:${server.port}`,
      credentials.createSsl(pki.ca, pki.clients[VT09]!.key, pki.clients[VT09]!.cert),
    );
    const check = (service: string) =>
      new Promise<unknown>((resolve, reject) =>
        health.Check({ service }, (e, r) => (e ? reject(e) : resolve(r))),
      );
    await expect(check('')).resolves.toEqual({ status: 'SERVING' });
    await expect(check('radar.v1.RadarService')).resolves.toEqual({ status: 'SERVING' });
    health.close();
  });

  it('GetHousehold by id: persons, timeline newest first, current and withdrawn indicators', async () => {
    const { households, mergedFrom } = await unary(
      vt09.getHousehold.bind(vt09),
      GetHouseholdRequest.fromPartial({ householdId: householdBeforeMerge }),
    );
    expect(mergedFrom).toBe('');
    expect(households).toHaveLength(1);
    const h = households[0]!;
    expect(h.householdId).toBe(householdBeforeMerge);
    expect(h.regions).toEqual(['VT09']);
    expect(h.persons).toHaveLength(1);
    expect(h.persons[0]!.bsns).toEqual(['111222333']);
    expect(h.timeline.map((s) => s.signalId)).toEqual(['V-4', 'V-5', 'V-3', 'V-1']);
    const current = h.indicators.filter((i) => i.active);
    const past = h.indicators.filter((i) => !i.active);
    expect(current.map((i) => i.indicatorId)).toEqual(['herhaald-partnergeweld/V-4']);
    expect(current[0]).toMatchObject({
      ruleId: 'herhaald-partnergeweld',
      ruleVersion: 1,
      level: 'hoog',
      signalIds: ['V-3', 'V-4', 'V-5'],
      value: 3,
    });
    expect(current[0]!.explanation).toContain('herhaald-partnergeweld');
    expect(current[0]!.lastSequence).toBeGreaterThan(0);
    expect(past.map((i) => i.indicatorId)).toEqual(['herhaald-partnergeweld/V-3']);
    expect(past[0]!.signalIds).toContain('V-2');

    const record = await lastAudit();
    expect(record).toMatchObject({
      client: VT09,
      user: 'j.devries',
      purpose: 'veiligheidsbeoordeling casus 2024-117',
      method: 'radar.v1.RadarService/GetHousehold',
      households: [householdBeforeMerge],
      indicators: ['herhaald-partnergeweld/V-4', 'herhaald-partnergeweld/V-3'],
      outcome: 'OK',
    });
  });

  it('GetHousehold by BSN, and INVALID_ARGUMENT naming `bsn` for one failing the elfproef', async () => {
    const byBsn = await unary(
      vt09.getHousehold.bind(vt09),
      GetHouseholdRequest.fromPartial({ bsn: '111222333' }),
    );
    expect(byBsn.households.map((h) => h.householdId)).toEqual([householdBeforeMerge]);
    const bad = await failure(
      unary(vt09.getHousehold.bind(vt09), GetHouseholdRequest.fromPartial({ bsn: '123456789' })),
    );
    expect(bad).toMatchObject({
      code: status.INVALID_ARGUMENT,
      field: 'bsn',
      errorCode: 'INVALID_REQUEST',
    });
    expect(bad.details).toMatch(/^bsn: /);
    expect(await lastAudit()).toMatchObject({ outcome: 'INVALID_ARGUMENT', households: [] });
  });

  it('GetHousehold by address finds every household there; a bad postcode is INVALID_ARGUMENT naming it', async () => {
    const shelter = await unary(
      vt09.getHousehold.bind(vt09),
      GetHouseholdRequest.fromPartial({ address: { postcode: '1000aa', houseNumber: 1 } }),
    );
    // The shelter is institutional: seven women with a child each stay seven households.
    expect(shelter.households).toHaveLength(7);
    expect(shelter.households.every((h) => h.persons.length === 2)).toBe(true);
    expect(shelter.households[0]!.addresses[0]).toMatchObject({
      addressKey: '1000AA|1||',
      postcode: '1000AA',
      houseNumber: 1,
    });
    const bad = await failure(
      unary(
        vt09.getHousehold.bind(vt09),
        GetHouseholdRequest.fromPartial({ address: { postcode: '10000', houseNumber: 1 } }),
      ),
    );
    expect(bad).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'address.postcode' });
    const none = await failure(
      unary(
        vt09.getHousehold.bind(vt09),
        GetHouseholdRequest.fromPartial({ address: { postcode: '9999ZZ', houseNumber: 1 } }),
      ),
    );
    expect(none).toMatchObject({ code: status.NOT_FOUND, details: 'household not found' });
  });

  it('an id of a household that has since merged resolves to the merged household and says so', async () => {
    await fixture.ingest(await scenarioSignals('01-one-family-three-sources.ndjson'));
    const merged = fixture.householdOf('A-1');
    expect(merged).not.toBe(householdBeforeMerge);
    const { households, mergedFrom } = await unary(
      vt09.getHousehold.bind(vt09),
      GetHouseholdRequest.fromPartial({ householdId: householdBeforeMerge }),
    );
    expect(mergedFrom).toBe(householdBeforeMerge);
    const h = households[0]!;
    expect(h.householdId).toBe(merged);
    const mother = h.persons.find((p) => p.bsns.includes('111222333'))!;
    expect(mother.familyNames).toEqual(['Berg, van der', 'van der Berg']);
    expect(mother.birthDates).toEqual(['1988-04-12']);
    expect(h.relations).toContainEqual(
      expect.objectContaining({
        fromPersonId: mother.personId,
        type: 'OUDER_VAN',
        signalIds: ['M-1'],
      }),
    );
    expect(h.addresses.map((a) => a.addressKey)).toEqual(['3511AB|12|A|']);
    expect(h.addresses[0]).toMatchObject({
      firstSeen: '2023-03-01T09:00:00.000Z',
      lastSeen: '2023-05-20T22:10:00.000Z',
    });
    expect(
      h.indicators
        .filter((i) => i.active)
        .map((i) => i.indicatorId)
        .sort(),
    ).toEqual(['advies-dan-politie/P-1', 'herhaald-partnergeweld/V-4']);
    const times = h.timeline.map((s) => Date.parse(s.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('SearchHouseholds pages through exactly the households the client may see', async () => {
    const seen: string[] = [];
    let pageToken = '';
    let pages = 0;
    do {
      const response = await unary(
        vt09.searchHouseholds.bind(vt09),
        SearchHouseholdsRequest.fromPartial({ pageSize: 3, pageToken }),
      );
      expect(response.households.length).toBeLessThanOrEqual(3);
      seen.push(...response.households.map((h) => h.householdId));
      pageToken = response.nextPageToken;
      pages++;
    } while (pageToken !== '');
    const expected = [...fixture.radar.households.households()]
      .filter((h) => h.signals.some((s) => fixture.regionOf(s.id) === 'VT09'))
      .map((h) => h.id)
      .sort();
    expect(seen).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 3));

    const flagged = await unary(
      vt09.searchHouseholds.bind(vt09),
      SearchHouseholdsRequest.fromPartial({ active: true, level: 'hoog' }),
    );
    expect(flagged.households.map((h) => h.householdId)).toEqual([fixture.householdOf('A-1')]);
    expect(flagged.households[0]).toMatchObject({ activeIndicatorCount: 2, highestLevel: 'hoog' });

    const first = await unary(
      vt09.searchHouseholds.bind(vt09),
      SearchHouseholdsRequest.fromPartial({ pageSize: 1 }),
    );
    const otherFilter = await failure(
      unary(
        vt09.searchHouseholds.bind(vt09),
        SearchHouseholdsRequest.fromPartial({
          pageSize: 1,
          region: 'VT09',
          pageToken: first.nextPageToken,
        }),
      ),
    );
    expect(otherFilter).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'page_token' });
    expect(
      await failure(
        unary(
          vt09.searchHouseholds.bind(vt09),
          SearchHouseholdsRequest.fromPartial({ pageToken: '%%%' }),
        ),
      ),
    ).toMatchObject({
      code: status.INVALID_ARGUMENT,
      field: 'page_token',
    });
  });

  it('ListIndicators filters by active, rule and change sequence, and pages', async () => {
    const all = await unary(vt09.listIndicators.bind(vt09), ListIndicatorsRequest.fromPartial({}));
    expect(all.indicators.map((i) => [i.indicatorId, i.active])).toEqual([
      ['advies-dan-politie/P-1', true],
      ['herhaald-partnergeweld/V-3', false],
      ['herhaald-partnergeweld/V-4', true],
    ]);
    const withdrawn = await unary(
      vt09.listIndicators.bind(vt09),
      ListIndicatorsRequest.fromPartial({ active: false }),
    );
    expect(withdrawn.indicators.map((i) => i.indicatorId)).toEqual(['herhaald-partnergeweld/V-3']);
    const rule = await unary(
      vt09.listIndicators.bind(vt09),
      ListIndicatorsRequest.fromPartial({ ruleId: 'advies-dan-politie' }),
    );
    expect(rule.indicators.map((i) => i.indicatorId)).toEqual(['advies-dan-politie/P-1']);
    const p1 = rule.indicators[0]!;
    const changed = await unary(
      vt09.listIndicators.bind(vt09),
      ListIndicatorsRequest.fromPartial({ changedAfterSequence: p1.lastSequence - 1 }),
    );
    expect(changed.indicators.map((i) => i.indicatorId)).toContain('advies-dan-politie/P-1');
    const paged = await unary(
      vt09.listIndicators.bind(vt09),
      ListIndicatorsRequest.fromPartial({ pageSize: 2 }),
    );
    const rest = await unary(
      vt09.listIndicators.bind(vt09),
      ListIndicatorsRequest.fromPartial({ pageSize: 2, pageToken: paged.nextPageToken }),
    );
    expect([...paged.indicators, ...rest.indicators].map((i) => i.indicatorId)).toEqual(
      all.indicators.map((i) => i.indicatorId),
    );
    expect(rest.nextPageToken).toBe('');
    expect(
      await failure(
        unary(
          vt09.listIndicators.bind(vt09),
          ListIndicatorsRequest.fromPartial({ level: 'extreem' }),
        ),
      ),
    ).toMatchObject({
      code: status.INVALID_ARGUMENT,
      field: 'level',
    });
  });

  it('SearchHouseholds and ListIndicators filter on the time a change was recorded', async () => {
    const past = '2000-01-01T00:00:00Z';
    const future = '2999-01-01T00:00:00+01:00';
    const list = (changedSince: string) =>
      unary(vt09.listIndicators.bind(vt09), ListIndicatorsRequest.fromPartial({ changedSince }));
    const search = (changedSince: string) =>
      unary(
        vt09.searchHouseholds.bind(vt09),
        SearchHouseholdsRequest.fromPartial({ changedSince }),
      );
    const all = await unary(vt09.listIndicators.bind(vt09), ListIndicatorsRequest.fromPartial({}));
    expect((await list(past)).indicators.map((i) => i.indicatorId)).toEqual(
      all.indicators.map((i) => i.indicatorId),
    );
    expect((await list(future)).indicators).toEqual([]);
    expect((await search(past)).households.length).toBeGreaterThan(0);
    expect((await search(future)).households).toEqual([]);
    for (const call of [list('gisteren'), search('2024-13-01T00:00:00Z')]) {
      expect(await failure(call)).toMatchObject({
        code: status.INVALID_ARGUMENT,
        field: 'changed_since',
      });
    }
  });

  it('ExplainIndicator gives the rule text and version and, per signal, why it counted', async () => {
    const { indicator, rule, contributions, ruleVersionDiffers } = await unary(
      vt09.explainIndicator.bind(vt09),
      ExplainIndicatorRequest.fromPartial({ indicatorId: 'advies-dan-politie/P-1' }),
    );
    expect(indicator).toMatchObject({
      indicatorId: 'advies-dan-politie/P-1',
      active: true,
      signalIds: ['A-1', 'P-1'],
    });
    expect(rule).toMatchObject({ ruleId: 'advies-dan-politie', version: 1, level: 'hoog' });
    expect(rule!.text).toContain('temporal_ordered');
    expect(ruleVersionDiffers).toBe(false);
    expect(contributions.map((c) => [c.signalId, c.counts])).toEqual([
      ['A-1', true],
      ['P-1', true],
    ]);
    expect(contributions[0]!.reasons.join('\n')).toMatch(/stap advies .*: past/);
    expect(contributions[1]!.reasons.join('\n')).toMatch(/stap politie .*: past/);

    const withdrawn = await unary(
      vt09.explainIndicator.bind(vt09),
      ExplainIndicatorRequest.fromPartial({ indicatorId: 'herhaald-partnergeweld/V-3' }),
    );
    expect(withdrawn.indicator!.active).toBe(false);
    expect(withdrawn.contributions.find((c) => c.signalId === 'V-2')).toMatchObject({
      counts: false,
    });
    expect(await lastAudit()).toMatchObject({
      method: 'radar.v1.RadarService/ExplainIndicator',
      indicators: ['herhaald-partnergeweld/V-3'],
    });
  });
});

describe('need to know', () => {
  freshWorld({ merged: true });

  it('a client of another region cannot tell that a household exists', async () => {
    const visible = fixture.householdOf('A-1');
    const byId = await failure(
      unary(
        vt01.getHousehold.bind(vt01),
        GetHouseholdRequest.fromPartial({ householdId: visible }),
      ),
    );
    const random = await failure(
      unary(
        vt01.getHousehold.bind(vt01),
        GetHouseholdRequest.fromPartial({ householdId: 'H-0123456789abcdef' }),
      ),
    );
    expect(byId).toEqual(random);
    expect(byId).toMatchObject({ code: status.NOT_FOUND, details: 'household not found' });
    // Its old id, its BSN and its address answer the same.
    expect(
      await failure(
        unary(
          vt01.getHousehold.bind(vt01),
          GetHouseholdRequest.fromPartial({ householdId: householdBeforeMerge }),
        ),
      ),
    ).toEqual(random);
    const known = await failure(
      unary(vt01.getHousehold.bind(vt01), GetHouseholdRequest.fromPartial({ bsn: '111222333' })),
    );
    const unknown = await failure(
      unary(vt01.getHousehold.bind(vt01), GetHouseholdRequest.fromPartial({ bsn: '100079192' })),
    );
    expect(known).toEqual(unknown);
    expect(
      await failure(
        unary(
          vt01.getHousehold.bind(vt01),
          GetHouseholdRequest.fromPartial({
            address: { postcode: '3511 AB', houseNumber: 12, addition: 'a' },
          }),
        ),
      ),
    ).toEqual(random);
    const explained = await failure(
      unary(
        vt01.explainIndicator.bind(vt01),
        ExplainIndicatorRequest.fromPartial({ indicatorId: 'advies-dan-politie/P-1' }),
      ),
    );
    const made = await failure(
      unary(
        vt01.explainIndicator.bind(vt01),
        ExplainIndicatorRequest.fromPartial({ indicatorId: 'advies-dan-politie/Q-9' }),
      ),
    );
    expect(explained).toEqual(made);
    expect(explained.code).toBe(status.NOT_FOUND);
  });

  it('searches and lists show a client its own regions only', async () => {
    const own = fixture.householdOf('X-1');
    const search = await unary(
      vt01.searchHouseholds.bind(vt01),
      SearchHouseholdsRequest.fromPartial({}),
    );
    expect(search.households.map((h) => h.householdId)).toEqual([own]);
    const list = await unary(vt01.listIndicators.bind(vt01), ListIndicatorsRequest.fromPartial({}));
    expect(list.indicators.map((i) => i.indicatorId)).toEqual(['herhaald-partnergeweld/X-3']);
    const mine = await unary(
      vt01.getHousehold.bind(vt01),
      GetHouseholdRequest.fromPartial({ householdId: own }),
    );
    expect(mine.households[0]!.regions).toEqual(['VT01']);
    const vt09search = await unary(
      vt09.searchHouseholds.bind(vt09),
      SearchHouseholdsRequest.fromPartial({ region: 'VT01' }),
    );
    expect(vt09search.households).toEqual([]);
  });
});

describe('refusals', () => {
  freshWorld({ merged: true });

  it('refuses a client without a certificate, or with one another CA signed', async () => {
    for (const creds of [
      credentials.createSsl(pki.ca),
      credentials.createSsl(pki.ca, pki.stranger.key, pki.stranger.cert),
    ]) {
      const { RadarServiceClient } = await import('../../src/gen/radar/v1/radar.js');
      const anonymous = new RadarServiceClient(`localhost:${server.port}`, creds);
      const refused = await failure(
        unary(
          anonymous.getHousehold.bind(anonymous),
          GetHouseholdRequest.fromPartial({ householdId: householdBeforeMerge }),
          callMetadata(),
          {
            deadline: Date.now() + 5000,
          },
        ),
      );
      expect(refused.code).toBe(status.UNAVAILABLE);
      anonymous.close();
    }
  });

  it('refuses a certificate whose identity serves no region, and audits it', async () => {
    const stranger = client(pki, server.port, UNKNOWN);
    const refused = await failure(
      unary(
        stranger.getHousehold.bind(stranger),
        GetHouseholdRequest.fromPartial({ householdId: householdBeforeMerge }),
      ),
    );
    expect(refused).toMatchObject({ code: status.PERMISSION_DENIED, errorCode: 'UNKNOWN_CLIENT' });
    expect(await lastAudit()).toMatchObject({
      client: UNKNOWN,
      outcome: 'PERMISSION_DENIED',
      households: [],
    });
    stranger.close();
  });

  it('refuses a call without user or purpose with UNAUTHENTICATED, naming what is missing, and audits it', async () => {
    const noUser = await failure(
      unary(
        vt09.getHousehold.bind(vt09),
        GetHouseholdRequest.fromPartial({ householdId: householdBeforeMerge }),
        callMetadata('', 'casus 1'),
      ),
    );
    expect(noUser).toMatchObject({
      code: status.UNAUTHENTICATED,
      errorCode: 'MISSING_CALL_CONTEXT',
    });
    expect(noUser.details).toContain('x-radar-user');
    expect(noUser.details).not.toContain('x-radar-purpose');
    expect(await lastAudit()).toMatchObject({
      client: VT09,
      user: '',
      purpose: 'casus 1',
      outcome: 'UNAUTHENTICATED',
      households: [],
    });
    const noPurpose = await failure(
      unary(
        vt09.listIndicators.bind(vt09),
        ListIndicatorsRequest.fromPartial({}),
        callMetadata('j.devries', ''),
      ),
    );
    expect(noPurpose.details).toContain('x-radar-purpose');
    expect(await lastAudit()).toMatchObject({
      method: 'radar.v1.RadarService/ListIndicators',
      outcome: 'UNAUTHENTICATED',
      indicators: [],
    });
  });

  it('bounds message sizes', async () => {
    const small = await start({ maxMessageBytes: 1024 });
    const c = client(pki, small.port, VT09);
    const tooBig = await failure(
      unary(
        c.getHousehold.bind(c),
        GetHouseholdRequest.fromPartial({ householdId: fixture.householdOf('A-1') }),
      ),
    );
    expect(tooBig).toMatchObject({
      code: status.RESOURCE_EXHAUSTED,
      errorCode: 'RESPONSE_TOO_LARGE',
    });
    expect(await lastAudit()).toMatchObject({ outcome: 'RESOURCE_EXHAUSTED', households: [] });
    c.close();
    await small.stop();
  });

  it('honours deadlines', async () => {
    const recorded = (await auditRecords()).length;
    const late = await failure(
      unary(
        vt09.getHousehold.bind(vt09),
        GetHouseholdRequest.fromPartial({ householdId: householdBeforeMerge }),
        callMetadata(),
        {
          deadline: Date.now() - 1,
        },
      ),
    );
    expect(late.code).toBe(status.DEADLINE_EXCEEDED);
    // The server audits a call it finds expired after the client has given up on it.
    await waitFor(async () => (await auditRecords()).length > recorded, { timeout: 10_000 });
    expect(await lastAudit()).toMatchObject({
      method: 'radar.v1.RadarService/GetHousehold',
      outcome: 'DEADLINE_EXCEEDED',
      households: [],
    });
  });
});

describe('WatchIndicators', () => {
  freshWorld({ merged: true });

  async function visibleSequences(region: string): Promise<number[]> {
    const sequences: number[] = [];
    for await (const event of fixture.store.events(0)) {
      const ids = event.indicator.signalIds;
      const household = fixture.radar.resolveHousehold(event.indicator.householdId)?.household;
      const regions = new Set<string>();
      for (const s of household?.signals ?? []) regions.add(fixture.regionOf(s.id) ?? '');
      for (const id of ids) regions.add(fixture.regionOf(id) ?? '');
      if (regions.has(region)) sequences.push(event.sequence);
    }
    return sequences;
  }

  it('a client that disconnects and reconnects across a restart receives every event exactly once', async () => {
    const received: WatchIndicatorsResponse[] = [];
    // First connection: take two events, then hang up.
    const first = watch(vt09, 0, (r) => r.length === 2);
    received.push(...(await first.done));
    expect(received.map((e) => e.sequence)).toEqual((await visibleSequences('VT09')).slice(0, 2));
    expect(received[0]!.type).toBe(IndicatorEventType.INDICATOR_EVENT_TYPE_RAISED);
    expect(Date.parse(received[0]!.recordedAt)).toBeGreaterThan(Date.parse('2026-01-01T00:00:00Z'));

    // While nobody listens, more signals arrive; then the service restarts on the same store.
    await fixture.ingest([
      signal({
        id: 'V-6',
        region: 'VT09',
        occurredAt: '2023-03-20T10:00:00Z',
        persons: [{ ref: 'a', bsn: '111222333', role: 'SLACHTOFFER' }],
      }),
    ]);
    await server.stop();
    vt09.close();
    vt01.close();
    server = await start();
    vt09 = client(pki, server.port, VT09);
    vt01 = client(pki, server.port, VT01);

    // Second connection from the last sequence seen; new events arrive live while it listens.
    const last = received.at(-1)!.sequence;
    const target = await visibleSequences('VT09');
    let expectedCount = target.length + 1;
    const second = watch(vt09, last, (r) => received.length + r.length >= expectedCount);
    // Caught up on what it missed, the stream is live for the signals below.
    await waitFor(() => received.length + second.received.length === target.length, {
      timeout: 10_000,
    });
    const before = await fixture.store.lastSequence();
    await fixture.ingest([
      signal({
        id: 'B-1',
        region: 'VT09',
        occurredAt: '2024-06-01T10:00:00Z',
        persons: [{ ref: 'a', bsn: '100158389', role: 'SLACHTOFFER' }],
      }),
      signal({
        id: 'B-2',
        region: 'VT09',
        occurredAt: '2024-07-01T10:00:00Z',
        persons: [{ ref: 'a', bsn: '100158389', role: 'SLACHTOFFER' }],
      }),
      signal({
        id: 'B-3',
        region: 'VT09',
        occurredAt: '2024-08-01T10:00:00Z',
        persons: [{ ref: 'a', bsn: '100158389', role: 'SLACHTOFFER' }],
      }),
    ]);
    expect(await fixture.store.lastSequence()).toBe(before + 1);
    expectedCount = (await visibleSequences('VT09')).length;
    received.push(...(await second.done));

    const sequences = received.map((e) => e.sequence);
    expect(sequences).toEqual(await visibleSequences('VT09'));
    expect(new Set(sequences).size).toBe(sequences.length);
    expect(received.at(-1)!.indicator!.indicatorId).toBe('herhaald-partnergeweld/B-3');
  });

  it('a client sees only the events of its own regions, and stopping the server ends the stream with UNAVAILABLE', async () => {
    const events: WatchIndicatorsResponse[] = [];
    const stream = vt01.watchIndicators(
      WatchIndicatorsRequest.fromPartial({ afterSequence: 0 }),
      callMetadata(),
    );
    const ended = new Promise<ServiceError>((resolve) => {
      stream.on('data', (e: WatchIndicatorsResponse) => events.push(e));
      stream.on('error', resolve);
    });
    const visible = await visibleSequences('VT01');
    await waitFor(() => events.length >= visible.length, { timeout: 10_000 });
    expect(events.map((e) => e.sequence)).toEqual(visible);
    expect(events.map((e) => e.indicator!.indicatorId)).toEqual(['herhaald-partnergeweld/X-3']);
    await server.stop();
    expect((await ended).code).toBe(status.UNAVAILABLE);
    server = await start();
  });
});

describe('audit', () => {
  freshWorld({ merged: true });

  it('holds a record for every call and `radar audit verify` fails once a record is altered', async () => {
    // One call of each method, and one that need to know refuses.
    const meta = callMetadata();
    const byId = GetHouseholdRequest.fromPartial({ householdId: householdBeforeMerge });
    await unary(vt09.getHousehold.bind(vt09), byId, meta);
    await unary(vt09.searchHouseholds.bind(vt09), SearchHouseholdsRequest.fromPartial({}), meta);
    await unary(vt09.listIndicators.bind(vt09), ListIndicatorsRequest.fromPartial({}), meta);
    await unary(
      vt09.explainIndicator.bind(vt09),
      ExplainIndicatorRequest.fromPartial({ indicatorId: 'advies-dan-politie/P-1' }),
      meta,
    );
    expect(await failure(unary(vt01.getHousehold.bind(vt01), byId, meta))).toMatchObject({
      code: status.NOT_FOUND,
    });
    const [delivered] = await watch(vt09, 0, (received) => received.length === 1).done;
    const disclosed = delivered?.indicator?.indicatorId ?? '';
    expect(disclosed).not.toBe('');
    // A watch delivery is audited as it is sent.
    await waitFor(
      async () =>
        (await auditRecords()).some(
          (r) => r.method.endsWith('WatchIndicators') && r.indicators.includes(disclosed),
        ),
      { timeout: 10_000 },
    );

    const records = await auditRecords();
    const methods = new Set(records.map((r) => r.method));
    for (const m of [
      'GetHousehold',
      'SearchHouseholds',
      'ListIndicators',
      'ExplainIndicator',
      'WatchIndicators',
    ]) {
      expect(methods).toContain(`radar.v1.RadarService/${m}`);
    }
    // Only a call whose deadline passed before it was served may lack the client (its stream is gone).
    expect(records.filter((r) => r.client === '' && r.outcome !== 'DEADLINE_EXCEEDED')).toEqual([]);
    expect(
      records.filter((r) => r.outcome === 'OK').every((r) => r.user !== '' && r.purpose !== ''),
    ).toBe(true);
    expect(records.some((r) => r.outcome === 'NOT_FOUND' && r.client === VT01)).toBe(true);

    await expect(verifyAuditLog(auditPath)).resolves.toMatchObject({
      ok: true,
      records: records.length,
    });
    const lines = (await readFile(auditPath, 'utf8')).trimEnd().split('\n');
    const victim = lines.findIndex((l) => l.includes('"outcome":"NOT_FOUND"'));
    lines[victim] = lines[victim]!.replace('"outcome":"NOT_FOUND"', '"outcome":"OK"');
    const altered = join(dir, 'altered.ndjson');
    await writeFile(altered, `${lines.join('\n')}\n`);
    const out = {
      text: '',
      write(s: string) {
        this.text += s;
        return true;
      },
    };
    const err = {
      text: '',
      write(s: string) {
        this.text += s;
        return true;
      },
    };
    const code = await auditVerifyCommand(altered, { stdout: out as never, stderr: err as never });
    expect(code).toBe(1);
    expect(err.text).toContain(`${altered}:${victim + 1}: hash does not match`);
  });
});
