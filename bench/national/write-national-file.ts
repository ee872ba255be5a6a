/** Child process: `node write-national-file.js '<options JSON>' <path>`. */
import type { NationalOptions } from '../../src/synthetic/national.js';
import { writeNationalFile } from './data-file.js';

await writeNationalFile(JSON.parse(process.argv[2]!) as NationalOptions, process.argv[3]!);
