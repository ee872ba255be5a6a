import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byCodeUnits } from '../../src/engine/household-summary.js';
import type { HouseholdView } from '../../src/engine/household-view.js';
import { decodeView, encodeView, isWhole } from '../../src/store/view-value.js';
import { CODE_UNIT_IDS, view, viewWithPersons } from './samples.js';

const signalIds = CODE_UNIT_IDS;
const household: HouseholdView = viewWithPersons('h1');

describe('a household view as stored', () => {
  it('leaves its signal ids to the summary, and names each record by its index there', () => {
    const stored = encodeView(household, signalIds);
    expect(stored).not.toHaveProperty('signalIds');
    expect(stored.persons).toEqual([
      {
        personId: 'P-1',
        records: [
          [0, 'p1'],
          [2, 'p2'],
          [4, 'p1'],
        ],
      },
      {
        personId: 'P-2',
        records: [
          [1, 'p1'],
          [3, 'p3'],
        ],
      },
      { personId: 'P-3', records: [] },
    ]);
    expect(decodeView(JSON.parse(JSON.stringify(stored)), signalIds)).toStrictEqual(household);
  });

  it('is read back as written, whatever the view', () => {
    const ids = fc
      .uniqueArray(fc.string({ unit: 'binary', maxLength: 4 }), { minLength: 1, maxLength: 8 })
      .map((list) => list.sort(byCodeUnits));
    const aView = ids.chain((list) =>
      fc
        .array(
          fc.record(
            {
              personId: fc.string({ maxLength: 3 }),
              records: fc.array(fc.tuple(fc.constantFrom(...list), fc.string({ maxLength: 3 }))),
            },
            { noNullPrototype: true },
          ),
          { maxLength: 4 },
        )
        .map((persons) => view('h1', { signalIds: list, persons })),
    );
    fc.assert(
      fc.property(aView, (v) => {
        const stored = encodeView(v, v.signalIds);
        expect(isWhole(stored)).toBe(false);
        expect(decodeView(JSON.parse(JSON.stringify(stored)), [...v.signalIds])).toStrictEqual(v);
      }),
    );
  });

  it('is whole where no summary will list its signals, or one lists others', () => {
    expect(encodeView(household, undefined)).toBe(household);
    expect(encodeView(household, ['S-1', 'S-10', 'S-2', '😀'])).toBe(household);
    expect(encodeView(household, [...signalIds].reverse())).toBe(household);
  });

  it('is whole where a record names a signal the view does not list', () => {
    const stray = view('h1', {
      signalIds: ['S-1'],
      persons: [{ personId: 'P', records: [['S-9', 'p1']] }],
    });
    expect(encodeView(stray, ['S-1'])).toBe(stray);
  });

  it('is read as it stands when whole, as an older radar wrote every view', () => {
    expect(decodeView(household, undefined)).toStrictEqual(household);
    expect(decodeView(household, ['S-7'])).toStrictEqual(household);
  });

  it('cannot be read without the summary it names signals in', () => {
    const stored = encodeView(household, signalIds);
    expect(decodeView(stored, undefined)).toBeUndefined();
    expect(decodeView(stored, signalIds.slice(0, 4))).toBeUndefined();
  });
});
