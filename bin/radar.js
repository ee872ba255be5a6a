#!/usr/bin/env node
// The program behind `bin/radar`, which starts it with the heap its command needs.
import { main } from '../dist/src/cli/main.js';

// A reader that closes the pipe early (`radar export … | head`) has read what it wanted.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
