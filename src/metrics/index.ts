export {
  RadarMetrics,
  type BatchMetrics,
  type BatchOutcome,
  type PartitionLag,
  type RadarMetricsOptions,
  type ServiceTotals,
} from './metrics.js';
export { directoryBytes } from './store-size.js';
