/**
 * Absent steps, first_seen and rules on indicators against their exact
 * semantics (docs/rules.md), every expected indicator worked out by hand in
 * the comments. The examples are the ones docs/rules.md works through.
 */
import { describe, expect, it } from 'vitest';
import {
  compileRuleset,
  explainContribution,
  parseRules,
  type Indicator,
  type RuleInput,
} from '../../src/rules/index.js';
import { day, input, onlyRule } from './support.js';

/** The fields the contract fixes, without the free-text explanation. */
function brief(indicators: Indicator[]) {
  return indicators.map(({ indicatorId, raisedAt, lastFiredAt, value, signalIds }) => ({
    indicatorId,
    raisedAt,
    lastFiredAt,
    value,
    signalIds,
  }));
}

function run(yaml: string, inputs: RuleInput[]): Indicator[] {
  return compileRuleset(parseRules(yaml, 'test.yaml')).evaluate(inputs, 'H1');
}

const NO_FOLLOW_UP = `id: zonder-opvolging
version: 1
title: Geen opvolging
level: midden
filter: { region: VT09 }
correlation:
  type: temporal_ordered
  timespan: 30d
  steps:
    - name: politie
      filter: { kind: POLITIE, childrenPresent: true }
    - name: geen-melding
      absent: true
      within: 30d
      filter: { kind: [MELDING, ADVIESVRAAG] }
`;

const police = (id: string, days: number) =>
  input({ id, kind: 'POLITIE', childrenPresent: true, occurredAt: day(days) });
const melding = (id: string, at: string, region = 'VT09') =>
  input({ id, kind: 'MELDING', occurredAt: at, region });

describe('absent steps', () => {
  it('fire at the end of the absence, even when the data end before it', () => {
    // P on day 0, nothing after: the absence ends on day 30, which no signal reaches.
    expect(brief(run(NO_FOLLOW_UP, [police('P', 0)]))).toEqual([
      {
        indicatorId: 'zonder-opvolging/P',
        raisedAt: day(30),
        lastFiredAt: day(30),
        value: 2,
        signalIds: ['P'],
      },
    ]);
  });

  it('a late melding inside the absence withdraws the indicator as if it had always been there', () => {
    // Exactly 30 days later still fills the gap (the bound is inclusive, as windows are); a second later does not.
    expect(run(NO_FOLLOW_UP, [police('P', 0), melding('M', day(30))])).toEqual([]);
    const late = new Date(Date.parse(day(30)) + 1000).toISOString();
    expect(brief(run(NO_FOLLOW_UP, [police('P', 0), melding('M', late)]))).toHaveLength(1);
  });

  it('only a signal after the step in the order < fills the gap, and only one that passes the filter', () => {
    // Same occurredAt: "A" < "P" comes before P and fills nothing; "Q" > "P" comes after and fills it.
    expect(run(NO_FOLLOW_UP, [police('P', 0), melding('A', day(0))])).toHaveLength(1);
    expect(run(NO_FOLLOW_UP, [police('P', 0), melding('Q', day(0))])).toEqual([]);
    // A melding from another region fails the rule's filter: no follow-up as far as this rule goes.
    expect(run(NO_FOLLOW_UP, [police('P', 0), melding('M', day(5), 'VT01')])).toHaveLength(1);
  });

  it('firing points a timespan apart form one episode, raised at the first end of absence', () => {
    // P1 day 0 → fires day 30; P2 day 20 → fires day 50; 50 − 30 = 20 ≤ 30 days: one episode.
    // P3 day 80 → fires day 110; 110 − 30 = 80 > 50: a new one.
    expect(brief(run(NO_FOLLOW_UP, [police('P1', 0), police('P2', 20), police('P3', 80)]))).toEqual(
      [
        {
          indicatorId: 'zonder-opvolging/P1',
          raisedAt: day(30),
          lastFiredAt: day(50),
          value: 2,
          signalIds: ['P1', 'P2'],
        },
        {
          indicatorId: 'zonder-opvolging/P3',
          raisedAt: day(110),
          lastFiredAt: day(110),
          value: 2,
          signalIds: ['P3'],
        },
      ],
    );
  });

  it('with two present steps, the absence follows the last of them, in order within the timespan', () => {
    const rule = NO_FOLLOW_UP.replace(
      '    - name: politie\n',
      '    - name: advies\n      filter: { kind: ADVIESVRAAG }\n    - name: politie\n',
    ).replace('within: 30d', 'within: 10d');
    const advies = (id: string, days: number) =>
      input({ id, kind: 'ADVIESVRAAG', occurredAt: day(days) });
    // A day 0, P day 5: in order; the adviesvraag itself, before P, fills nothing. Fires day 15.
    expect(brief(run(rule, [advies('A', 0), police('P', 5)]))).toEqual([
      {
        indicatorId: 'zonder-opvolging/P',
        raisedAt: day(15),
        lastFiredAt: day(15),
        value: 3,
        signalIds: ['A', 'P'],
      },
    ]);
    // P before A: not in order. An adviesvraag 31 days before P: outside P's window.
    expect(run(rule, [police('P', 5), advies('A', 6)])).toEqual([]);
    expect(run(rule, [advies('A', 0), police('P', 31)])).toEqual([]);
  });

  it('explain the absence and count the absent step’s signals as no member', () => {
    const [indicator] = run(NO_FOLLOW_UP, [police('P', 0)]);
    expect(indicator?.explanation).toContain(
      'stap politie, en daarna binnen 30 dagen geen geen-melding: waarde 2 (drempel: precies 2)',
    );
    const lines = explainContribution(onlyRule(NO_FOLLOW_UP), melding('M', day(1)));
    expect(lines[0]).toContain('telt niet mee');
    expect(lines).toContain('afwezige stap geen-melding (soort: melding of adviesvraag): past');
  });
});

const FIRST_SOURCE = `id: nieuwe-bron
version: 1
title: Nieuwe bron
level: laag
correlation:
  type: first_seen
  field: source
  timespan: 10d
`;

describe('first_seen', () => {
  it('fires on signals with a value their window had not; signalIds are the signals that brought one', () => {
    // A day 0 HUISARTS: new. B day 3 HUISARTS: seen (A). C day 5 ONDERWIJS: new.
    // D day 14 HUISARTS: its window starts day 4, B (day 3) is out: new again.
    // Firing points A, C, D: C − 10d ≤ A and D − 10d ≤ C, so one episode; B brought nothing.
    const inputs = [
      input({ id: 'A', source: 'HUISARTS', occurredAt: day(0) }),
      input({ id: 'B', source: 'HUISARTS', occurredAt: day(3) }),
      input({ id: 'C', source: 'ONDERWIJS', occurredAt: day(5) }),
      input({ id: 'D', source: 'HUISARTS', occurredAt: day(14) }),
    ];
    expect(brief(run(FIRST_SOURCE, inputs))).toEqual([
      {
        indicatorId: 'nieuwe-bron/A',
        raisedAt: day(0),
        lastFiredAt: day(14),
        value: 1,
        signalIds: ['A', 'C', 'D'],
      },
    ]);
  });

  it('counts each new element of a list field, so a condition can ask for more than one', () => {
    const rule = FIRST_SOURCE.replace('field: source', 'field: violenceTypes').concat(
      '  condition: { gte: 2 }\n',
    );
    // A: one type, new (1). B: A's type and two new ones (2): fires.
    const inputs = [
      input({ id: 'A', violenceTypes: ['PSYCHISCH'], occurredAt: day(0) }),
      input({
        id: 'B',
        violenceTypes: ['PSYCHISCH', 'LICHAMELIJK', 'STALKING'],
        occurredAt: day(1),
      }),
    ];
    const [indicator] = run(rule, inputs);
    expect(brief([indicator!])).toEqual([
      {
        indicatorId: 'nieuwe-bron/B',
        raisedAt: day(1),
        lastFiredAt: day(1),
        value: 2,
        signalIds: ['A', 'B'],
      },
    ]);
    expect(indicator?.explanation).toContain(
      '2 waarden van vorm van geweld die in de 10 dagen ervoor niet voorkwamen',
    );
    expect(indicator?.explanation).toContain('nieuw: vorm van geweld: lichamelijk, stalking');
  });

  it('a signal at the same instant but with a smaller id is earlier: its value is not new to the later one', () => {
    const inputs = [
      input({ id: 'B', source: 'HUISARTS', occurredAt: day(0) }),
      input({ id: 'A', source: 'HUISARTS', occurredAt: day(0) }),
    ];
    expect(brief(run(FIRST_SOURCE, inputs)).map((i) => i.signalIds)).toEqual([['A']]);
  });
});

const ESCALATION = `id: a
version: 1
title: Melding
level: hoog
filter: { kind: MELDING }
correlation: { type: event_count, timespan: 0d, condition: { gte: 1 } }
---
id: b
version: 1
title: Politie
level: hoog
filter: { kind: POLITIE }
correlation: { type: event_count, timespan: 0d, condition: { gte: 1 } }
---
id: c
version: 1
title: Advies
level: midden
filter: { kind: ADVIESVRAAG }
correlation: { type: event_count, timespan: 0d, condition: { gte: 1 } }
---
id: e
version: 1
title: Escalatie
level: kritiek
filter:
  indicator: { level: hoog }
correlation: { type: value_count, field: rule, timespan: 10d, condition: { gte: 2 } }
---
id: e2
version: 1
title: Escalatie van escalatie
level: kritiek
filter:
  indicator: { rule: e }
correlation: { type: event_count, timespan: 0d, condition: { gte: 1 } }
`;

describe('rules on indicators', () => {
  // M1 day 0 → a/M1; P1 day 12 → b/P1 (12 days after a/M1: outside e's 10 days);
  // A1 day 13 → c/A1, midden, not counted; M2 day 20 → a/M2, whose window (from day 10)
  // holds b/P1 and a/M2: two rules, e fires at a/M2. e2 counts e's indicator.
  const inputs = [
    input({ id: 'M1', kind: 'MELDING', occurredAt: day(0) }),
    input({ id: 'P1', kind: 'POLITIE', occurredAt: day(12) }),
    input({ id: 'A1', kind: 'ADVIESVRAAG', occurredAt: day(13) }),
    input({ id: 'M2', kind: 'MELDING', occurredAt: day(20) }),
  ];

  it('count other rules’ indicators at their raisedAt, by rule and level, and chain', () => {
    const indicators = run(ESCALATION, inputs).filter((i) => i.ruleId.startsWith('e'));
    expect(brief(indicators)).toEqual([
      {
        indicatorId: 'e/a/M2',
        raisedAt: day(20),
        lastFiredAt: day(20),
        value: 2,
        signalIds: ['M2', 'P1'],
      },
      {
        indicatorId: 'e2/e/a/M2',
        raisedAt: day(20),
        lastFiredAt: day(20),
        value: 1,
        signalIds: ['M2', 'P1'],
      },
    ]);
    expect(indicators[0]?.explanation).toContain(
      'Indicatoren: b/P1 (indicator, 13-1-2024, regel b), a/M2 (indicator, 21-1-2024, regel a)',
    );
  });

  it('withdrawing a signal under a counted indicator withdraws the escalation', () => {
    const withoutP1 = inputs.filter((i) => i.id !== 'P1');
    expect(run(ESCALATION, withoutP1).filter((i) => i.ruleId.startsWith('e'))).toEqual([]);
  });

  it('a signal never counts for a rule on indicators directly', () => {
    const [, , , e] = parseRules(ESCALATION, 'test.yaml').rules;
    expect(explainContribution(e!, inputs[0]!)).toEqual([
      expect.stringContaining('telt niet rechtstreeks mee voor regel e (versie 1)'),
    ]);
  });
});
