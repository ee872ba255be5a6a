/**
 * The evaluator against CONTRACT §3 "Exact semantics", with every expected
 * indicator worked out by hand in the comments.
 */
import { describe, expect, it } from 'vitest';
import {
  compileRule,
  compileRuleset,
  explainContribution,
  type Indicator,
  type Rule,
  type RuleInput,
} from '../../src/rules/index.js';
import { day, input, onlyRule } from './support.js';

const HH = 'H1';

function evaluate(rule: Rule, inputs: RuleInput[]): Indicator[] {
  return compileRule(rule).evaluate(inputs, HH);
}

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

const countRule = (timespan: string, condition: string, filter = '') =>
  onlyRule(`id: tel
version: 2
title: Telregel
level: midden
${filter}correlation:
  type: event_count
  timespan: ${timespan}
  condition: ${condition}
`);

describe('event_count, windows and episodes', () => {
  // Days A 0, B 5, C 30, D 35, E 36, F 47; timespan 10d, gte 2.
  // W(A)={A} 1, W(B)={A,B} 2 fires, W(C)={C} 1, W(D)={C,D} 2 fires,
  // W(E)={C,D,E} 3 fires, W(F)={F} 1. D: 35−10=25 > 5 (B) starts a new
  // episode; E: 36−10=26 ≤ 35 (D) continues it.
  const inputs = [
    input({ id: 'A', occurredAt: day(0) }),
    input({ id: 'B', occurredAt: day(5) }),
    input({ id: 'C', occurredAt: day(30) }),
    input({ id: 'D', occurredAt: day(35) }),
    input({ id: 'E', occurredAt: day(36) }),
    input({ id: 'F', occurredAt: day(47) }),
  ];

  it('splits firing points into episodes, one indicator each', () => {
    const indicators = evaluate(countRule('10d', '{ gte: 2 }'), inputs);
    expect(brief(indicators)).toEqual([
      {
        indicatorId: 'tel/B',
        raisedAt: day(5),
        lastFiredAt: day(5),
        value: 2,
        signalIds: ['A', 'B'],
      },
      {
        indicatorId: 'tel/D',
        raisedAt: day(35),
        lastFiredAt: day(36),
        value: 3,
        signalIds: ['C', 'D', 'E'],
      },
    ]);
    expect(indicators[0]).toMatchObject({
      ruleId: 'tel',
      ruleVersion: 2,
      level: 'midden',
      householdId: HH,
    });
  });

  it('the window includes a signal exactly one timespan earlier, and not a millisecond more', () => {
    const rule = countRule('10d', '{ gte: 2 }');
    const at = (id: string, iso: string) => input({ id, occurredAt: iso });
    expect(brief(evaluate(rule, [at('A', day(0)), at('B', day(10))]))).toHaveLength(1);
    const late = new Date(Date.parse(day(10)) + 1).toISOString();
    expect(evaluate(rule, [at('A', day(0)), at('B', late)])).toEqual([]);
  });

  it('a firing point exactly one timespan after the previous one continues the episode', () => {
    // gte 1: every signal fires. 0 → 10 (10−10 = 0, not later than 0): one
    // episode, and W(B) reaches A, so the value there is 2; 10 → 20.5:
    // 10.5 > 10, a new one.
    const rule = countRule('10d', '{ gte: 1 }');
    const indicators = evaluate(rule, [
      input({ id: 'A', occurredAt: day(0) }),
      input({ id: 'B', occurredAt: day(10) }),
      input({ id: 'C', occurredAt: day(20.5) }),
    ]);
    expect(brief(indicators)).toEqual([
      {
        indicatorId: 'tel/A',
        raisedAt: day(0),
        lastFiredAt: day(10),
        value: 2,
        signalIds: ['A', 'B'],
      },
      {
        indicatorId: 'tel/C',
        raisedAt: day(20.5),
        lastFiredAt: day(20.5),
        value: 1,
        signalIds: ['C'],
      },
    ]);
  });

  it('the value is the one at the last firing point, and the condition is ANDed', () => {
    // gte 2 and lt 4, timespan 10d, days 0,1,2,3: values 1,2,3,4 → firing
    // points at days 1 and 2 (4 fails lt 4); value at the last one is 3.
    const rule = countRule('10d', '{ gte: 2, lt: 4 }');
    const indicators = evaluate(
      rule,
      ['A', 'B', 'C', 'D'].map((id, i) => input({ id, occurredAt: day(i) })),
    );
    expect(brief(indicators)).toEqual([
      {
        indicatorId: 'tel/B',
        raisedAt: day(1),
        lastFiredAt: day(2),
        value: 3,
        signalIds: ['A', 'B', 'C'],
      },
    ]);
  });

  it('ties in occurredAt are broken by id in code-unit order: "S-10" < "S-9"', () => {
    // M = [S-10, S-9]; W(S-10) = {S-10} (S-9 is not ≤ S-10), W(S-9) = both.
    const rule = countRule('1d', '{ gte: 2 }');
    const indicators = evaluate(rule, [
      input({ id: 'S-9', occurredAt: day(0) }),
      input({ id: 'S-10', occurredAt: day(0) }),
    ]);
    expect(brief(indicators)).toEqual([
      {
        indicatorId: 'tel/S-9',
        raisedAt: day(0),
        lastFiredAt: day(0),
        value: 2,
        signalIds: ['S-10', 'S-9'],
      },
    ]);
  });

  it('ids compare by code unit, not by locale: "S-B" < "S-a"', () => {
    const rule = countRule('1d', '{ gte: 2 }');
    const indicators = evaluate(rule, [
      input({ id: 'S-a', occurredAt: day(0) }),
      input({ id: 'S-B', occurredAt: day(0) }),
    ]);
    expect(indicators.map((i) => i.indicatorId)).toEqual(['tel/S-a']);
    expect(indicators[0]?.signalIds).toEqual(['S-B', 'S-a']);
  });

  it('a late signal backdates an indicator instead of being dropped', () => {
    // Scenario 03 without the withdrawal: without V-2 the rule first fires
    // at V-4 over V-3, V-5, V-4; V-2, arriving last but occurring before
    // V-3, makes it fire at V-3 already, and V-5 and V-4 continue that
    // episode (their windows reach back to V-3).
    const rule = countRule('365d', '{ gte: 3 }');
    const known = [
      input({ id: 'V-1', occurredAt: '2022-01-15T23:00:00Z' }),
      input({ id: 'V-3', occurredAt: '2022-09-01T10:00:00Z' }),
      input({ id: 'V-5', occurredAt: '2023-02-01T10:00:00Z' }),
      input({ id: 'V-4', occurredAt: '2023-03-01T23:00:00Z' }),
    ];
    expect(evaluate(rule, known).map((i) => [i.indicatorId, i.raisedAt])).toEqual([
      ['tel/V-4', '2023-03-01T23:00:00.000Z'],
    ]);
    const late = input({ id: 'V-2', occurredAt: '2022-06-01T10:00:00Z' });
    expect(brief(evaluate(rule, [...known, late]))).toEqual([
      {
        indicatorId: 'tel/V-3',
        raisedAt: '2022-09-01T10:00:00.000Z',
        lastFiredAt: '2023-03-01T23:00:00.000Z',
        value: 4,
        signalIds: ['V-1', 'V-2', 'V-3', 'V-4', 'V-5'],
      },
    ]);
  });

  it('timestamps with offsets compare as instants and print in UTC', () => {
    const rule = countRule('1h', '{ gte: 2 }');
    const indicators = evaluate(rule, [
      input({ id: 'A', occurredAt: '2024-03-01T10:30:00+02:00' }),
      input({ id: 'B', occurredAt: '2024-03-01T09:00:00Z' }),
    ]);
    // A is 08:30Z, B 09:00Z: 30 minutes apart.
    expect(brief(indicators)).toEqual([
      {
        indicatorId: 'tel/B',
        raisedAt: '2024-03-01T09:00:00.000Z',
        lastFiredAt: '2024-03-01T09:00:00.000Z',
        value: 2,
        signalIds: ['A', 'B'],
      },
    ]);
  });
});

describe('filters', () => {
  const police = input({ id: 'P', kind: 'POLITIE', source: 'POLITIE', occurredAt: day(0) });
  const melding = input({ id: 'M', category: 'PARTNERGEWELD', occurredAt: day(1) });
  const ids = (filter: string) =>
    evaluate(countRule('1d', '{ gte: 1 }', `filter:\n${filter}\n`), [police, melding]).flatMap(
      (i) => i.signalIds,
    );

  it('an absent category fails X and passes { not: X }', () => {
    expect(ids('  category: PARTNERGEWELD')).toEqual(['M']);
    expect(ids('  category: { not: PARTNERGEWELD }')).toEqual(['P']);
    expect(ids('  category: { not: [KINDERMISHANDELING] }')).toEqual(['M', 'P']);
  });

  it('scalar equals, list any of, { not: list } none of; keys ANDed', () => {
    expect(ids('  kind: POLITIE')).toEqual(['P']);
    expect(ids('  kind: [POLITIE, MELDING]')).toEqual(['M', 'P']);
    expect(ids('  kind: { not: [POLITIE, ADVIESVRAAG] }')).toEqual(['M']);
    expect(ids('  kind: [POLITIE, MELDING]\n  source: HUISARTS')).toEqual(['M']);
  });

  it('booleans take their contract defaults', () => {
    expect(ids('  childrenPresent: false')).toEqual(['M', 'P']);
    expect(ids('  substantiated: true')).toEqual(['M', 'P']);
    expect(ids('  substantiated: { not: true }')).toEqual([]);
  });

  it('violenceTypes matches when the lists share an element; { not: X } when they share none', () => {
    const rule = (filter: string) =>
      countRule('30d', '{ gte: 1 }', `filter:\n  violenceTypes: ${filter}\n`);
    const inputs = [
      input({ id: 'none', occurredAt: day(0) }),
      input({ id: 'one', occurredAt: day(0), violenceTypes: ['PSYCHISCH'] }),
      input({ id: 'two', occurredAt: day(0), violenceTypes: ['LICHAMELIJK', 'KIND_GETUIGE'] }),
    ];
    const matched = (filter: string) => evaluate(rule(filter), inputs).flatMap((i) => i.signalIds);
    expect(matched('KIND_GETUIGE')).toEqual(['two']);
    expect(matched('[PSYCHISCH, LICHAMELIJK]')).toEqual(['one', 'two']);
    expect(matched('{ not: KIND_GETUIGE }')).toEqual(['none', 'one']);
    expect(matched('{ not: [PSYCHISCH, KIND_GETUIGE] }')).toEqual(['none']);
  });
});

describe('ages on the UTC calendar date of occurredAt', () => {
  const person = (birthDate: string) => [{ ref: 'p', birthDate, role: 'SLACHTOFFER' as const }];
  const at = (occurredAt: string, birthDate: string) =>
    input({ id: 'S', occurredAt, persons: person(birthDate) });

  it('turns 18 on the birthday itself', () => {
    expect(at('2024-02-29T23:59:59Z', '2006-03-01').minorInvolved).toBe(true);
    expect(at('2024-03-01T00:00:00Z', '2006-03-01').minorInvolved).toBe(false);
  });

  it('uses the UTC date, not the local one', () => {
    // 00:30 in Amsterdam on 1 March is still 29 February in UTC.
    expect(at('2024-03-01T00:30:00+01:00', '2006-03-01').minorInvolved).toBe(true);
  });

  it('turns 65 on the birthday itself', () => {
    expect(at('2024-02-29T12:00:00Z', '1959-03-01').elderInvolved).toBe(false);
    expect(at('2024-03-01T12:00:00Z', '1959-03-01').elderInvolved).toBe(true);
  });

  it('someone born on 29 February has the birthday on 1 March in other years', () => {
    expect(at('2026-02-28T12:00:00Z', '2008-02-29').minorInvolved).toBe(true);
    expect(at('2026-03-01T12:00:00Z', '2008-02-29').minorInvolved).toBe(false);
    expect(at('2025-02-28T12:00:00Z', '1960-02-29').elderInvolved).toBe(false);
    expect(at('2025-03-01T12:00:00Z', '1960-02-29').elderInvolved).toBe(true);
  });

  it('needs a known birth date; a child born after the incident counts as a minor', () => {
    const unknown = input({
      id: 'S',
      occurredAt: day(0),
      persons: [{ ref: 'p', role: 'ONBEKEND' }],
    });
    expect(unknown).toMatchObject({ minorInvolved: false, elderInvolved: false });
    expect(at('2024-03-01T12:00:00Z', '2024-06-01').minorInvolved).toBe(true);
  });

  it('any person counts', () => {
    const both = input({
      id: 'S',
      occurredAt: '2024-03-01T12:00:00Z',
      persons: [
        { ref: 'kind', birthDate: '2015-01-01', role: 'SLACHTOFFER' },
        { ref: 'opa', birthDate: '1950-01-01', role: 'BETROKKENE' },
      ],
    });
    expect(both).toMatchObject({ minorInvolved: true, elderInvolved: true });
  });
});

describe('value_count', () => {
  const rule = (field: string, condition: string) =>
    onlyRule(`id: waarden
version: 1
title: Waarden
level: laag
correlation:
  type: value_count
  field: ${field}
  timespan: 30d
  condition: ${condition}
`);

  it('counts distinct values; an absent field adds nothing but its signal is in the window', () => {
    // categories: A partner, B none (police), C kind, D ouderen, E partner at day 40.
    // Values: A 1, B 1, C 2, D 3 fires; E's window (10..40) holds only E: 1.
    const inputs = [
      input({ id: 'A', occurredAt: day(0), category: 'PARTNERGEWELD' }),
      input({ id: 'B', occurredAt: day(1), kind: 'POLITIE' }),
      input({ id: 'C', occurredAt: day(2), category: 'KINDERMISHANDELING' }),
      input({ id: 'D', occurredAt: day(3), category: 'OUDERENMISHANDELING' }),
      input({ id: 'E', occurredAt: day(40), category: 'PARTNERGEWELD' }),
    ];
    expect(brief(evaluate(rule('category', '{ gte: 3 }'), inputs))).toEqual([
      {
        indicatorId: 'waarden/D',
        raisedAt: day(3),
        lastFiredAt: day(3),
        value: 3,
        signalIds: ['A', 'B', 'C', 'D'],
      },
    ]);
  });

  it('counts the elements of a list field, each distinct element once', () => {
    // A: LICHAMELIJK, PSYCHISCH → 2; B adds PSYCHISCH again and STALKING → 3.
    const inputs = [
      input({ id: 'A', occurredAt: day(0), violenceTypes: ['LICHAMELIJK', 'PSYCHISCH'] }),
      input({ id: 'B', occurredAt: day(1), violenceTypes: ['PSYCHISCH', 'STALKING'] }),
    ];
    expect(evaluate(rule('violenceTypes', '{ eq: 3 }'), inputs).map((i) => i.value)).toEqual([3]);
    expect(evaluate(rule('violenceTypes', '{ eq: 2 }'), inputs).map((i) => i.indicatorId)).toEqual([
      'waarden/A',
    ]);
  });

  it('counts values leaving the window out again', () => {
    // sources: A huisarts 0, B politie 20, C huisarts 40, D ggz 45.
    // W(C) = {B, C} (10..40): 2; W(D) = {B, C, D}: 3 fires, not 4 with A.
    const inputs = [
      input({ id: 'A', occurredAt: day(0), source: 'HUISARTS' }),
      input({ id: 'B', occurredAt: day(20), source: 'POLITIE' }),
      input({ id: 'C', occurredAt: day(40), source: 'HUISARTS' }),
      input({ id: 'D', occurredAt: day(45), source: 'GGZ' }),
    ];
    expect(brief(evaluate(rule('source', '{ gte: 3 }'), inputs))).toEqual([
      {
        indicatorId: 'waarden/D',
        raisedAt: day(45),
        lastFiredAt: day(45),
        value: 3,
        signalIds: ['B', 'C', 'D'],
      },
    ]);
  });
});

describe('score', () => {
  const rule = onlyRule(`id: score
version: 1
title: Score
level: hoog
correlation:
  type: score
  timespan: 30d
  weights:
    - filter: { safety: ONVEILIG_ACUUT }
      score: 5
    - filter: { kind: POLITIE }
      score: 2
    - filter: { safety: VEILIG }
      score: -3
  condition: { gte: 7 }
`);

  it('sums each signal’s highest matching weight; signalIds keep only weights above 0', () => {
    // A melding ONBEKEND: 0. B police: 2. C police acute: max(5, 2) = 5.
    // Sums: A 0, B 2, C 7 fires; A is in W(C) but weighs 0.
    const inputs = [
      input({ id: 'A', occurredAt: day(0) }),
      input({ id: 'B', occurredAt: day(1), kind: 'POLITIE' }),
      input({ id: 'C', occurredAt: day(2), kind: 'POLITIE', safety: 'ONVEILIG_ACUUT' }),
    ];
    expect(brief(evaluate(rule, inputs))).toEqual([
      {
        indicatorId: 'score/C',
        raisedAt: day(2),
        lastFiredAt: day(2),
        value: 7,
        signalIds: ['B', 'C'],
      },
    ]);
  });

  it('a negative weight lowers the sum', () => {
    // A acute 5, B veilig −3, C police 2, D police 2: sums 5, 2, 4, 6, never 7.
    const inputs = [
      input({ id: 'A', occurredAt: day(0), safety: 'ONVEILIG_ACUUT' }),
      input({ id: 'B', occurredAt: day(1), safety: 'VEILIG' }),
      input({ id: 'C', occurredAt: day(2), kind: 'POLITIE' }),
      input({ id: 'D', occurredAt: day(3), kind: 'POLITIE' }),
    ];
    expect(evaluate(rule, inputs)).toEqual([]);
  });
});

describe('temporal', () => {
  const rule = onlyRule(`id: stromen
version: 1
title: Alle stromen
level: midden
filter:
  region: VT09
correlation:
  type: temporal
  timespan: 30d
  steps:
    - name: advies
      filter: { kind: ADVIESVRAAG }
    - name: melding
      filter: { kind: MELDING }
    - name: politie
      filter: { kind: POLITIE }
  condition: { gte: 2 }
`);

  it('counts the steps matched in the window, in any order; M excludes other regions', () => {
    // A, B meldingen at 0, 1: one step. X politie at 2 in VT01: not in M.
    // P politie at 50: W = {P}, 1. Q advies at 60: W = {P, Q}, 2 fires.
    const inputs = [
      input({ id: 'A', occurredAt: day(0) }),
      input({ id: 'B', occurredAt: day(1) }),
      input({ id: 'X', occurredAt: day(2), kind: 'POLITIE', region: 'VT01' }),
      input({ id: 'P', occurredAt: day(50), kind: 'POLITIE' }),
      input({ id: 'Q', occurredAt: day(60), kind: 'ADVIESVRAAG' }),
    ];
    expect(brief(evaluate(rule, inputs))).toEqual([
      {
        indicatorId: 'stromen/Q',
        raisedAt: day(60),
        lastFiredAt: day(60),
        value: 2,
        signalIds: ['P', 'Q'],
      },
    ]);
  });
});

describe('temporal_ordered', () => {
  const rule = onlyRule(`id: advies-dan-politie
version: 1
title: Adviesvraag, dan politie met kinderen
level: hoog
correlation:
  type: temporal_ordered
  timespan: 90d
  steps:
    - name: advies
      filter: { kind: ADVIESVRAAG }
    - name: politie
      filter: { kind: POLITIE, childrenPresent: true }
`);
  const advies = (id: string, at: number) =>
    input({ id, occurredAt: day(at), kind: 'ADVIESVRAAG' });
  const politie = (id: string, at: number, childrenPresent = true) =>
    input({ id, occurredAt: day(at), kind: 'POLITIE', childrenPresent });

  it('needs the steps in order within the timespan; the condition defaults to { eq: steps }', () => {
    // P1 at 0 before A1 at 5: no order. N at 10 has no children: no step, not in M.
    // P2 at 100: A1 at 5 < 100 − 90 = 10 is out. A2 at 110, P3 at 120: fires at P3.
    // W(P3) = {P2, A2, P3}: P2 matches the politie step, so it is in signalIds too.
    const inputs = [
      politie('P1', 0),
      advies('A1', 5),
      politie('N', 10, false),
      politie('P2', 100),
      advies('A2', 110),
      politie('P3', 120),
    ];
    expect(brief(evaluate(rule, inputs))).toEqual([
      {
        indicatorId: 'advies-dan-politie/P3',
        raisedAt: day(120),
        lastFiredAt: day(120),
        value: 2,
        signalIds: ['A2', 'P2', 'P3'],
      },
    ]);
  });

  it('the advice and the police signal at the same instant count in id order', () => {
    // Same occurredAt: "A" < "P", so the advice comes first.
    expect(evaluate(rule, [politie('P', 0), advies('A', 0)]).map((i) => i.indicatorId)).toEqual([
      'advies-dan-politie/P',
    ]);
    expect(evaluate(rule, [politie('A', 0), advies('P', 0)])).toEqual([]);
  });

  it('one signal cannot be two steps, and a later step cannot come first', () => {
    const abaRule = onlyRule(`id: aba
version: 1
title: ABA
level: laag
correlation:
  type: temporal_ordered
  timespan: 30d
  steps:
    - { name: eerst, filter: { kind: MELDING } }
    - { name: dan, filter: { kind: POLITIE } }
    - { name: weer, filter: { kind: MELDING } }
`);
    const m = (id: string, at: number) => input({ id, occurredAt: day(at) });
    const p = (id: string, at: number) => input({ id, occurredAt: day(at), kind: 'POLITIE' });
    expect(evaluate(abaRule, [m('M1', 0), m('M2', 1), p('P1', 2)])).toEqual([]);
    expect(brief(evaluate(abaRule, [m('M1', 0), p('P1', 1), m('M2', 2), m('M3', 3)]))).toEqual([
      {
        indicatorId: 'aba/M2',
        raisedAt: day(2),
        lastFiredAt: day(3),
        value: 3,
        signalIds: ['M1', 'M2', 'M3', 'P1'],
      },
    ]);
  });

  it('an explicit condition replaces the default', () => {
    const anyOrder = onlyRule(`id: niet-op-volgorde
version: 1
title: Niet op volgorde
level: laag
correlation:
  type: temporal_ordered
  timespan: 90d
  steps:
    - { name: advies, filter: { kind: ADVIESVRAAG } }
    - { name: politie, filter: { kind: POLITIE } }
  condition: { eq: 0 }
`);
    // P then A: value 0 at both, so both fire in one episode.
    expect(brief(evaluate(anyOrder, [politie('P', 0), advies('A', 1)]))).toEqual([
      {
        indicatorId: 'niet-op-volgorde/P',
        raisedAt: day(0),
        lastFiredAt: day(1),
        value: 0,
        signalIds: ['A', 'P'],
      },
    ]);
  });
});

describe('explanations', () => {
  it('name rule, version, measure, threshold, period and signals, in Dutch', () => {
    const rule = countRule('365d', '{ gte: 3 }', 'filter:\n  kind: [MELDING, POLITIE]\n');
    const [indicator] = evaluate(rule, [
      input({ id: 'S-03', occurredAt: '2024-03-01T10:00:00Z' }),
      input({ id: 'S-09', occurredAt: '2024-03-04T10:00:00Z', kind: 'POLITIE' }),
      input({ id: 'S-17', occurredAt: '2024-04-01T10:00:00Z' }),
      input({ id: 'S-21', occurredAt: '2024-05-02T08:00:00Z' }),
    ]);
    expect(indicator?.explanation).toBe(
      'Regel tel (versie 2, Telregel): 4 signalen binnen 365 dagen (drempel: minstens 3), ' +
        'geteld over signalen met soort: melding of politiesignaal. ' +
        'Periode: van 1 maart 2024 tot en met 2 mei 2024; ' +
        'drempel voor het eerst bereikt op 1 april 2024, voor het laatst op 2 mei 2024. ' +
        'Signalen: S-03 (melding, 1-3-2024), S-09 (politiesignaal, 4-3-2024), ' +
        'S-17 (melding, 1-4-2024), S-21 (melding, 2-5-2024).',
    );
  });

  it('state thresholds and step orders in words, so a rule written in ASCII explains in ASCII', () => {
    const words = [
      ['{ gt: 2 }', 3, 'meer dan 2'],
      ['{ gte: 2, lt: 9 }', 2, 'minstens 2 en minder dan 9'],
      ['{ lte: 2 }', 1, 'hoogstens 2'],
      ['{ eq: 1, neq: 3 }', 1, 'precies 1 en niet 3'],
    ] as const;
    for (const [condition, signals, text] of words) {
      const inputs = Array.from({ length: signals }, (_, i) =>
        input({ id: `S-${i}`, occurredAt: day(i) }),
      );
      const [indicator] = evaluate(countRule('30d', condition), inputs);
      expect(indicator?.explanation).toContain(`(drempel: ${text})`);
    }
    const ordered = onlyRule(`id: volgorde
version: 1
title: Eerst advies, dan politie
level: hoog
correlation:
  type: temporal_ordered
  timespan: 30d
  steps:
    - { name: advies, filter: { kind: ADVIESVRAAG } }
    - { name: politie, filter: { kind: POLITIE } }
`);
    const [indicator] = evaluate(ordered, [
      input({ id: 'A', occurredAt: day(0), kind: 'ADVIESVRAAG' }),
      input({ id: 'P', occurredAt: day(1), kind: 'POLITIE' }),
    ]);
    expect(indicator?.explanation).toContain('de stappen advies, daarna politie in deze volgorde');
    expect(indicator?.explanation).toMatch(/^[\x20-\x7e]*$/);
  });

  it('never contain names, BSNs or birth dates', () => {
    const rule = countRule('30d', '{ gte: 1 }', 'filter:\n  minorInvolved: true\n');
    const [indicator] = evaluate(rule, [
      input({
        id: 'S-1',
        occurredAt: day(0),
        persons: [
          {
            ref: 'k',
            bsn: '123456782',
            familyName: 'Jansen',
            initials: 'K',
            birthDate: '2015-06-01',
            role: 'SLACHTOFFER',
          },
        ],
      }),
    ]);
    for (const secret of ['123456782', 'Jansen', '2015', '1-6-2015']) {
      expect(indicator?.explanation).not.toContain(secret);
    }
  });

  it('explainContribution says which filter keys, weights and steps a signal matched', () => {
    const rule = onlyRule(`id: score
version: 4
title: Score
level: hoog
filter:
  category: { not: OUDERENMISHANDELING }
correlation:
  type: score
  timespan: 30d
  weights:
    - { filter: { safety: ONVEILIG_ACUUT }, score: 5 }
    - { filter: { kind: POLITIE }, score: 2 }
  condition: { gte: 7 }
`);
    const police = input({ id: 'P-1', occurredAt: '2024-03-01T10:00:00Z', kind: 'POLITIE' });
    expect(explainContribution(rule, police)).toEqual([
      'Signaal P-1 (politiesignaal, 1-3-2024) telt mee voor regel score (versie 4).',
      'filter categorie: geen waarde voldoet aan niet ouderenmishandeling',
      'gewicht 1 (score 5, veiligheid: onveilig acuut): past niet',
      'gewicht 2 (score 2, soort: politiesignaal): past',
      'hoogste passende gewicht: 2',
    ]);
  });
});

describe('compiled rulesets', () => {
  it('evaluate every rule over the same household, rule by rule', () => {
    const a = countRule('1d', '{ gte: 1 }');
    const b = { ...a, id: 'ander' };
    const inputs = [input({ id: 'S', occurredAt: day(0) })];
    expect(
      compileRuleset([a, b])
        .evaluate(inputs, 'H9')
        .map((i) => [i.indicatorId, i.householdId]),
    ).toEqual([
      ['tel/S', 'H9'],
      ['ander/S', 'H9'],
    ]);
  });
});
