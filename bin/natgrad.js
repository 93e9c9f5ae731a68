#!/usr/bin/env node
// Runs the compiled CLI (built by `npm install` through the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('natgrad: the compiled CLI is missing; run `npm install` (or `npm run build`) in the natgrad folder first\n');
  process.exit(2);
}
const { guardStandardStreams } = await import(new URL('../dist/src/cli/process-io.js', import.meta.url).href);
guardStandardStreams();
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
