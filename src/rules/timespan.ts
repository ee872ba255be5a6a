/** `correlation.timespan`: an integer followed by s, m, h or d (CONTRACT §3). */

const TIMESPAN_PATTERN = /^([0-9]+)([smhd])$/;

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** The widest span a JavaScript date can hold; beyond it window arithmetic loses meaning. */
const MAX_TIMESPAN_MS = 8.64e15;

/** Milliseconds, or `undefined` when the text is not a timespan or is absurdly long. */
export function parseTimespan(text: string): number | undefined {
  const match = TIMESPAN_PATTERN.exec(text);
  if (match === null) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] as Unit];
  return ms <= MAX_TIMESPAN_MS ? ms : undefined;
}

const DUTCH_UNITS: Record<Unit, [one: string, many: string]> = {
  s: ['seconde', 'seconden'],
  m: ['minuut', 'minuten'],
  h: ['uur', 'uur'],
  d: ['dag', 'dagen'],
};

/** `365d` → `365 dagen`, for explanations. Assumes a valid timespan. */
export function formatTimespanDutch(text: string): string {
  const match = TIMESPAN_PATTERN.exec(text);
  if (match === null) return text;
  const amount = Number(match[1]);
  const [one, many] = DUTCH_UNITS[match[2] as Unit];
  return `${amount} ${amount === 1 ? one : many}`;
}
