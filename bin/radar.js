#!/usr/bin/env -S node --max-old-space-size=12288
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
