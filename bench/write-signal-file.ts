import { writeDiacriticSignalFile, writeSignalFile } from './signal-file.js';

if (process.argv[2] === '--diacritics')
  await writeDiacriticSignalFile(process.argv[3]!, process.argv[4]!);
else await writeSignalFile(Number(process.argv[2]), process.argv[3]!);
