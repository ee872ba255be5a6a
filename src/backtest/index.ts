export { ingestNdjson, snapshot } from './backtest.js';
export type { BacktestCounts, BacktestInput, RadarSnapshot } from './backtest.js';
export { householdSummary, radarOutputLines, radarStateLines } from './format.js';
export type { HouseholdSummary } from './format.js';
export { chunkText, eachLine, lineChunks } from './lines.js';
export { defaultDecodeThreads } from './chunk-decoder.js';
