#!/usr/bin/env node
// `npm run test:interop`: runs the PyTorch examples (docs/examples/pytorch_kfac_check.py:
// an MLP; docs/examples/pytorch_sequential_check.py: a CNN and an attention model)
// against the compiled CLI when a python3 with torch is available, and says
// clearly that it skipped (exit 0) when none is. Set PYTHON to choose the interpreter.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const examples = ['pytorch_kfac_check.py', 'pytorch_sequential_check.py'].map((f) => fileURLToPath(new URL(`../docs/examples/${f}`, import.meta.url)));

// the python3 on PATH first; Debian's python3-torch lives in /usr/bin/python3, which a version manager may shadow
const candidates = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((p, i, all) => p && all.indexOf(p) === i);
const python = candidates.find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
if (!python) {
  console.log('interop: skipped (python3-torch is not installed; apt-get install python3-torch)');
  process.exit(0);
}
if (!process.env.NATGRAD && !existsSync(new URL('../dist/src/cli/main.js', import.meta.url))) {
  console.error('interop: the compiled CLI is missing; run `npm run build` first');
  process.exit(1);
}
let failed = 0;
for (const example of examples) {
  console.log(`interop: running ${example} with ${python}`);
  const run = spawnSync(python, [example], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`interop: FAILED: ${example} (exit ${run.status ?? run.signal})`);
    failed++;
  }
}
if (failed === 0) console.log('interop: passed');
process.exit(failed === 0 ? 0 : 1);
