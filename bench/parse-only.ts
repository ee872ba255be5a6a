/**
 * The floor to compare with: read the file as the backtest reads it, in
 * chunks of whole lines, and JSON.parse each line, nothing else.
 */
import { createReadStream } from 'node:fs';
import { chunkText, eachLine, lineChunks } from '../src/backtest/index.js';

const file = process.argv[2]!;
const started = performance.now();
let lines = 0;
let objects = 0;
for await (const chunk of lineChunks(createReadStream(file, { highWaterMark: 1 << 20 }))) {
  eachLine(chunkText(chunk), (line) => {
    if (line.trim() === '') return;
    lines++;
    try {
      if (typeof JSON.parse(line) === 'object') objects++;
    } catch {
      // Malformed lines are part of the input; the backtest rejects them too.
    }
  });
}
const seconds = (performance.now() - started) / 1000;
const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(
  JSON.stringify({
    name: 'read + JSON.parse only',
    lines,
    seconds,
    peakRssMb,
    extra: { objects },
  }) + '\n',
);
