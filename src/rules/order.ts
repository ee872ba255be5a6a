/** The order `<` of CONTRACT §3, for signals and for indicators taken at their raisedAt. */

/** What a window slides over: a signal at its occurredAt, or an indicator at its raisedAt. */
export interface Point {
  readonly id: string;
  /** Epoch milliseconds. */
  readonly t: number;
}

/** By time, then id in code-unit order (not localeCompare). */
export function comparePoints(a: Point, b: Point): number {
  if (a.t !== b.t) return a.t - b.t;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
