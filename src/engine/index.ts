export { Radar, sameIndicator } from './radar.js';
export type {
  IndicatorChange,
  IndicatorEventType,
  IngestOutcome,
  RadarChanges,
  RadarCounts,
  RadarOptions,
} from './radar.js';
export { Household } from '../graph/household-index.js';
export { prepareSignal, type PreparedSignal } from './prepare.js';
export { WireReader, WireWriter, type WireSignals } from './prepared-wire.js';
export type { HouseholdView } from './household-view.js';
