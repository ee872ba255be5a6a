export { Radar } from './radar.js';
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
export { WireReader, writeWire, type WireValue } from './prepared-wire.js';
