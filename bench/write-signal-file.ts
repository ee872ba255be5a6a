import { writeSignalFile } from './signal-file.js';

await writeSignalFile(Number(process.argv[2]), process.argv[3]!);
