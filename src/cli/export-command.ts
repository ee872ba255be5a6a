import type { HouseholdSummary } from '../engine/household-summary.js';
import { radarOutputLines } from '../backtest/index.js';
import type { Indicator } from '../rules/index.js';
import { openStore } from '../store/index.js';
import { writeLines } from '../backtest/index.js';
import type { CliIo } from './io.js';

/** Prints the stored state of a stopped service in exactly the backtest format. */
export async function exportCommand(options: { data: string }, io: CliIo): Promise<number> {
  const store = await openStore({ dataDir: options.data, createIfMissing: false });
  try {
    const households: HouseholdSummary[] = [];
    for await (const h of store.households()) households.push(h);
    const indicators: Indicator[] = [];
    for await (const i of store.indicators()) indicators.push(i);
    await writeLines(io.stdout, radarOutputLines(households, indicators));
  } finally {
    await store.close();
  }
  return 0;
}
