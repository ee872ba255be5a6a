export { readAndSettle, runBacktest, snapshot } from './backtest.js';
export type { BacktestCounts, BacktestInput, RadarSnapshot } from './backtest.js';
export { radarOutputLines } from './format.js';
export { radarStateLines } from './rule-episodes.js';
export { chunkText, eachLine, lineChunks, writeLines } from './lines.js';
export { defaultWorkerThreads } from './chunk-decoder.js';
