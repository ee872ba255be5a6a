import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byKeyOrder } from '../../src/store/kv.js';
import { ListChanges } from '../../src/store/list-changes.js';

describe('ListChanges', () => {
  it('applies drops, then adds, to the lists as they were, each sorted in key order', () => {
    const changes = new ListChanges();
    changes.add('a', 'z');
    changes.add('a', 'b');
    changes.drop('a', 'c');
    changes.drop('b', 'x');
    changes.drop('c', 'y');
    changes.add('c', 'y');
    expect(changes.keys).toEqual(['a', 'b', 'c']);
    const after = changes.applied(
      new Map([
        ['a', ['c', 'd']],
        ['b', ['x']],
      ]),
    );
    expect([...after]).toEqual([
      ['a', ['b', 'd', 'z']],
      ['b', undefined],
      ['c', ['y']],
    ]);
  });

  it('gives the set the changes make of any list, in key order', () => {
    const id = fc.constantFrom('h1', 'h10', 'h2', 'é', 'z');
    fc.assert(
      fc.property(fc.uniqueArray(id), fc.array(fc.tuple(fc.boolean(), id)), (before, steps) => {
        const changes = new ListChanges();
        for (const [add, x] of steps) {
          if (add) changes.add('k', x);
          else changes.drop('k', x);
        }
        const added = new Set(steps.filter(([add]) => add).map(([, x]) => x));
        const dropped = new Set(steps.filter(([add]) => !add).map(([, x]) => x));
        const expected = [...new Set([...before.filter((x) => !dropped.has(x)), ...added])].sort(
          byKeyOrder,
        );
        const after = changes.applied(new Map([['k', before.sort(byKeyOrder)]])).get('k');
        if (steps.length === 0) expect(after).toBeUndefined();
        else expect(after ?? []).toEqual(expected);
      }),
    );
  });
});
