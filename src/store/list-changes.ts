/**
 * Changes to list values (one sorted list of ids under a key), gathered
 * over a write so that each list it touches is read once and written once.
 */
import { byKeyOrder } from './kv.js';

interface Change {
  added: Set<string>;
  dropped: Set<string>;
}

export class ListChanges {
  private readonly changes = new Map<string, Change>();

  add(key: string, id: string): void {
    this.change(key).added.add(id);
  }

  drop(key: string, id: string): void {
    this.change(key).dropped.add(id);
  }

  /** Takes `id` out of the lists only `before` names and into those only `after` names. */
  move(id: string, before: Iterable<string>, after: Iterable<string>): void {
    const from = new Set(before);
    const to = new Set(after);
    for (const key of from) if (!to.has(key)) this.drop(key, id);
    for (const key of to) if (!from.has(key)) this.add(key, id);
  }

  /** The keys whose lists change. */
  get keys(): string[] {
    return [...this.changes.keys()];
  }

  /**
   * Each changed list as it is after the change, sorted in key order, from
   * the lists as they were; `undefined` for one left empty. An id both
   * dropped and added stays.
   */
  applied(
    before: ReadonlyMap<string, readonly string[] | undefined>,
  ): Map<string, string[] | undefined> {
    const after = new Map<string, string[] | undefined>();
    for (const [key, { added, dropped }] of this.changes) {
      const ids = new Set(before.get(key) ?? []);
      for (const id of dropped) ids.delete(id);
      for (const id of added) ids.add(id);
      after.set(key, ids.size === 0 ? undefined : [...ids].sort(byKeyOrder));
    }
    return after;
  }

  private change(key: string): Change {
    let change = this.changes.get(key);
    if (change === undefined)
      this.changes.set(key, (change = { added: new Set(), dropped: new Set() }));
    return change;
  }
}
