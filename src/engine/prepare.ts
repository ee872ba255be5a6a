/**
 * What the radar keeps of a signal. A pure function of the signal, computed
 * where the signal is decoded (the consumer, or a backtest's decode worker),
 * so the engine never needs the whole signal again: no names, no birth
 * dates, only identity keys, rule facts and a content fingerprint.
 */
import { toGraphInput, type GraphInput } from '../graph/model.js';
import { toRuleInput, type RuleInput } from '../rules/input.js';
import { signalFingerprint } from '../signals/fingerprint.js';
import type { Signal } from '../signals/types.js';

export interface PreparedSignal {
  readonly id: string;
  /** See `signalFingerprint`: tells a redelivery from a conflicting version. */
  readonly fingerprint: number;
  readonly retracts: readonly string[];
  /** What rules see; absent for a withdrawal, which is never evaluated. */
  readonly rule: RuleInput | undefined;
  /** What the households are built from; absent for a withdrawal, which belongs to none. */
  readonly graph: GraphInput | undefined;
}

export function prepareSignal(signal: Signal): PreparedSignal {
  const { id, retracts } = signal;
  const fingerprint = signalFingerprint(signal);
  if (signal.kind === 'INTREKKING') {
    return { id, fingerprint, retracts, rule: undefined, graph: undefined };
  }
  const rule = toRuleInput(signal);
  return { id, fingerprint, retracts, rule, graph: toGraphInput(signal, rule.t) };
}

/** The graph of a signal the caller knows belongs to a household. */
export function graphOf(prepared: PreparedSignal): GraphInput {
  const graph = prepared.graph;
  if (graph === undefined) throw new TypeError(`signal ${prepared.id} belongs to no household`);
  return graph;
}
