/**
 * What rule evaluation needs of a signal, computed once per signal rather than
 * once per rule: the fields rules filter and count on, its event time as a
 * number and the two derived age facts. Nothing about persons beyond those
 * facts, so the radar need not keep names and birth dates to evaluate rules.
 */
import { calendarDateNumber, parseTimestamp } from '../signals/dates.js';
import { utcDateNumber } from './dates.js';
import type {
  Category,
  Safety,
  Signal,
  SignalKind,
  Source,
  ViolenceType,
} from '../signals/types.js';

export interface RuleInput {
  readonly id: string;
  /**
   * `occurredAt` in epoch milliseconds. Finer fractions of a second are
   * truncated, so two signals within the same millisecond tie and are
   * ordered by id.
   */
  readonly t: number;
  readonly kind: SignalKind;
  readonly source: Source | undefined;
  readonly region: string | undefined;
  readonly category: Category | undefined;
  readonly safety: Safety;
  readonly childrenPresent: boolean;
  readonly substantiated: boolean;
  readonly violenceTypes: readonly ViolenceType[];
  /** Some person is younger than 18 on the UTC calendar date of `occurredAt`. */
  readonly minorInvolved: boolean;
  /** Some person is 65 or older on the UTC calendar date of `occurredAt`. */
  readonly elderInvolved: boolean;
}

/** Throws a `TypeError` for a signal without a valid `occurredAt`: withdrawals are never evaluated. */
export function toRuleInput(signal: Signal): RuleInput {
  const t = signal.occurredAt === undefined ? NaN : parseTimestamp(signal.occurredAt);
  if (Number.isNaN(t)) {
    throw new TypeError(`signal ${signal.id} has no valid occurredAt and cannot be evaluated`);
  }
  const ages = involvement(
    t,
    signal.persons.map((person) => person.birthDate),
    signal.persons.length,
  );
  return {
    id: signal.id,
    t,
    kind: signal.kind,
    source: signal.source,
    region: signal.region,
    category: signal.category,
    safety: signal.safety,
    childrenPresent: signal.childrenPresent,
    substantiated: signal.substantiated,
    violenceTypes: signal.violenceTypes,
    minorInvolved: (ages & MINOR_INVOLVED) !== 0,
    elderInvolved: (ages & ELDER_INVOLVED) !== 0,
  };
}

/** Bits of what `involvement` returns. */
export const MINOR_INVOLVED = 1;
export const ELDER_INVOLVED = 2;

/**
 * Whether someone born on one of the first `count` of `birthDates` is
 * younger than 18 (`MINOR_INVOLVED`) or 65 or older (`ELDER_INVOLVED`) on the
 * UTC calendar date of `t`, as bits; an absent or unreadable birth date
 * counts for neither.
 */
export function involvement(
  t: number,
  birthDates: readonly (string | undefined)[],
  count: number,
): number {
  const on = utcDateNumber(t);
  let bits = 0;
  for (let i = 0; i < count; i++) {
    const birthDate = birthDates[i];
    if (birthDate === undefined) continue;
    const age = ageOn(birthDate, on);
    if (age === undefined) continue;
    if (age < 18) bits |= MINOR_INVOLVED;
    if (age >= 65) bits |= ELDER_INVOLVED;
  }
  return bits;
}

/**
 * Completed years between a `YYYY-MM-DD` birth date and a `yyyymmdd` date:
 * with both written as `yyyymmdd` numbers, the difference divided by 10 000
 * and rounded down is the age, because month and day only decide whether
 * this year's birthday (on that very date counts as had) has come. Someone
 * born on 29 February therefore turns a year older on 1 March in a year
 * without 29 February. A birth date after the date gives a negative age, so
 * an unborn child named in a signal counts as a minor.
 */
function ageOn(birthDate: string, yyyymmdd: number): number | undefined {
  const born = calendarDateNumber(birthDate);
  return born === undefined ? undefined : Math.floor((yyyymmdd - born) / 10_000);
}
