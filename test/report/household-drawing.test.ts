/** A household drawn for the report: persons by role and age band, laid out the same way every time. */
import { describe, expect, it } from 'vitest';
import { ageBand, drawHousehold, householdSvg } from '../../src/report/household-drawing.js';
import { monthChartSvg, monthsBetween } from '../../src/report/month-chart.js';
import type { Signal } from '../../src/signals/types.js';
import { signal } from '../rules/support.js';

const on = (date: string) => Date.parse(`${date}T12:00:00Z`);

describe('ageBand', () => {
  it('counts completed years on the UTC date, the birthday itself included', () => {
    expect(ageBand('2006-03-01', on('2024-02-29'))).toBe('12-17 jr');
    expect(ageBand('2006-03-01', on('2024-03-01'))).toBe('18-29 jr');
    expect(ageBand('1959-06-10', on('2024-06-10'))).toBe('65+ jr');
    expect(ageBand('2024-07-01', on('2024-06-10'))).toBe('0-5 jr');
    expect(ageBand(undefined, on('2024-06-10'))).toBe('leeftijd onbekend');
  });
});

describe('drawHousehold', () => {
  const mother = {
    ref: 'm',
    bsn: '111222333',
    familyName: 'Jansen',
    birthDate: '1990-04-02',
    role: 'SLACHTOFFER' as const,
  };
  const father = {
    ref: 'f',
    bsn: '123456782',
    familyName: 'Bakker',
    birthDate: '1988-01-20',
    role: 'PLEGER' as const,
  };
  const child = {
    ref: 'k',
    familyName: 'Bakker',
    initials: 'T',
    birthDate: '2015-09-09',
    role: 'BETROKKENE' as const,
  };
  const address = { postcode: '3511AB', houseNumber: 12 };
  const signals: Signal[] = [
    signal({
      id: 'S-2',
      occurredAt: '2024-05-01T10:00:00Z',
      kind: 'POLITIE',
      persons: [mother, father],
      relations: [{ from: 'm', to: 'f', type: 'PARTNER' }],
      address,
    }),
    signal({ id: 'S-1', occurredAt: '2024-01-01T10:00:00Z', persons: [mother, child], address }),
  ];
  const options = {
    anchor: 'S-1',
    on: on('2024-05-01'),
    baseSignals: new Set(['S-1']),
    candidateSignals: new Set(['S-1', 'S-2']),
  };

  it('draws signals, persons and the address as nodes and the relation as a labelled edge', () => {
    const drawing = drawHousehold(signals, options)!;
    const labels = (kind: string) =>
      drawing.nodes.filter((n) => n.kind === kind).map((n) => n.label.join(' | '));
    expect(labels('signal')).toEqual([
      'S-1 | melding 2024-01-01 | huisarts',
      'S-2 | politie 2024-05-01 | huisarts',
    ]);
    expect(labels('person')).toEqual([
      'P1 slachtoffer | 30-49 jr',
      'P2 betrokkene | 6-11 jr',
      'P3 pleger | 30-49 jr',
    ]);
    expect(labels('address')).toEqual(['adres 1']);
    expect(drawing.edges.filter((e) => e.kind === 'relation').map((e) => e.label)).toEqual([
      'partner',
    ]);
    expect(drawing.nodes.filter((n) => n.kind === 'signal').map((n) => n.marked)).toEqual([
      'both',
      'candidate',
    ]);
  });

  it('lays the same household out the same way whatever order its signals come in', () => {
    const svg = householdSvg(drawHousehold(signals, options)!, 'h');
    expect(householdSvg(drawHousehold([...signals].reverse(), options)!, 'h')).toBe(svg);
  });

  it('writes no BSN, name, initials, birth date or address into the picture', () => {
    const svg = householdSvg(drawHousehold(signals, options)!, 'h');
    for (const value of [
      '111222333',
      '123456782',
      'Jansen',
      'Bakker',
      '1990-04-02',
      '2015-09-09',
      '3511AB',
      '>T<',
    ])
      expect(svg).not.toContain(value);
  });
});

describe('the month chart', () => {
  it('spans every month from the first to the last, across a year end', () => {
    expect(monthsBetween('2023-11', '2024-02')).toEqual([
      '2023-11',
      '2023-12',
      '2024-01',
      '2024-02',
    ]);
    expect(monthsBetween('2024-05', '2024-05')).toEqual(['2024-05']);
  });

  it('draws a bar for each month and side with indicators, none for zero', () => {
    const svg = monthChartSvg(
      new Map([
        ['2024-01', { base: 4, candidate: 0 }],
        ['2024-03', { base: 2, candidate: 1 }],
      ]),
      'chart',
    );
    expect(svg.match(/<rect class="bar base"/g)).toHaveLength(2);
    expect(svg.match(/<rect class="bar candidate"/g)).toHaveLength(1);
    expect(svg).toContain('<title>2024-03 candidate: 1</title>');
  });
});
