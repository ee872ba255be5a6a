#!/usr/bin/env -S node --max-old-space-size=12288 --max-semi-space-size=64
// A backtest keeps millions of small objects and makes millions more that die young: a larger
// young generation scavenges less often and copies less, a measured gain for a large backtest
// (docs/performance-history.md). Only the command line can set it.
import { main } from '../dist/src/cli/main.js';

// A reader that closes the pipe early (`radar export … | head`) has read what it wanted.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
