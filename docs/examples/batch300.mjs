#!/usr/bin/env node
// Writes a batch of 300 mixed oracle specs (every kind, families and models)
// built from the committed test vectors, for timing one `natgrad oracle` call:
//   node docs/examples/batch300.mjs /tmp/batch300.json
//   time node bin/natgrad.js oracle /tmp/batch300.json > /dev/null
import { readFileSync, writeFileSync } from 'node:fs';

const out = process.argv[2] ?? 'batch300.json';
const root = new URL('../../vectors/', import.meta.url);
const index = JSON.parse(readFileSync(new URL('index.json', root), 'utf8'));
const specs = index.files.map((f) => JSON.parse(readFileSync(new URL(f.path, root), 'utf8')).spec);
const batch = [];
for (let i = 0; i < 300; i++) {
  const s = structuredClone(specs[(i * 7) % specs.length]);
  // move the model weights and shampoo gradients a little, so that no two specs repeat
  const bump = (m) => m.map((r) => r.map((x) => x + 1e-3 * Math.sin(i + x)));
  if (s.weights) s.weights = s.weights.map((w) => ({ ...w, W: bump(w.W) }));
  if (s.kind === 'shampoo') s.gradients = s.gradients.map(bump);
  batch.push(s);
}
const counts = {};
for (const s of batch) {
  const k = `${s.kind} (${s.family ? 'family' : s.model ? 'model' : 'matrices'})`;
  counts[k] = (counts[k] ?? 0) + 1;
}
writeFileSync(out, JSON.stringify(batch));
console.log(`wrote ${batch.length} specs to ${out}: ${Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ')}`);
