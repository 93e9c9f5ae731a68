/**
 * The layers of natgrad: a module imports only from its own layer folder and
 * the layers below it. Folders on one line are peers that do not import each
 * other. proofs/ and properties/ are the checks; only the CLI, the
 * composition root, imports them.
 */
const LAYERS = [
  ['core'],
  ['linalg'],
  ['symbolic', 'numeric', 'data'],
  ['families', 'models', 'es'],
  ['curvature', 'docs'],
  ['optim'],
  ['rl', 'vi', 'parallel', 'experiments'],
  ['oracle', 'verify'],
  ['index.ts'],
  ['cli'],
];

// A new folder must take its place in the layers before anything can be checked.
const { readdirSync } = require('node:fs');
const placed = new Set(LAYERS.flat());
const unplaced = readdirSync(`${__dirname}/src`).filter((n) => !placed.has(n));
if (unplaced.length > 0) throw new Error(`.dependency-cruiser.cjs: put ${unplaced.join(', ')} in LAYERS`);

const folder = (name) => (name.endsWith('.ts') ? `^src/${name.replace('.', '\\.')}$` : `^src/${name}/`);
const anyOf = (names) => names.map(folder).join('|');

const layerRules = LAYERS.flatMap((layer, i) => {
  const above = LAYERS.slice(i + 1).flat();
  return layer.map((name) => {
    const peers = layer.filter((n) => n !== name);
    const forbidden = [...above, ...peers];
    return {
      name: `layer-${name.replace('.ts', '')}`,
      comment: `src/${name} may import only ${LAYERS.slice(0, i).flat().join(', ') || 'nothing else in src'}${i > 0 ? ' (the layers below it)' : ''}`,
      severity: 'error',
      from: { path: folder(name) },
      to: { path: [anyOf(forbidden), '^proofs/', '^properties/'].filter(Boolean).join('|') },
    };
  });
});

module.exports = {
  forbidden: [
    // the CLI, at the top, may import everything, proofs/ and properties/ included
    ...layerRules.filter((r) => r.name !== 'layer-cli'),
    {
      name: 'no-folder-cycles',
      comment: 'no import cycles between modules (a cycle closed only by type imports is harmless: types vanish at run time)',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'checks-not-cli',
      comment: 'proofs/ and properties/ use the library, never the CLI',
      severity: 'error',
      from: { path: '^(proofs|properties)/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'proofs-not-properties',
      comment: 'the proofs do not depend on the property suites',
      severity: 'error',
      from: { path: '^proofs/' },
      to: { path: '^properties/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
