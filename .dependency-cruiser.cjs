// The layer rule (ARCHITECTURE.md): every folder of lib/ has a rank, and a module may import only
// from its own folder or a folder ranked below it. Runtime cycles are refused everywhere.
// Run by `npm run lint` (and so by `npm test`).
const LAYERS = [
  'util',
  'config',
  'notify',
  'store',
  'transcripts',
  'monitor',
  'usage',
  'policy',
  'app',
  'settings',
  'statusline',
  'report',
  'doctor',
  'hook',
  'cli',
];

const folder = (name) => `^lib/${name}/`;

const upward = LAYERS.map((name, i) => ({
  name: `layer-${name}`,
  comment: `lib/${name} may import only from lib/${name} and the layers below it (${LAYERS.slice(0, i).join(', ') || 'none'})`,
  severity: 'error',
  from: { path: folder(name) },
  to: { path: `^lib/(${LAYERS.slice(i + 1).join('|') || '$^'})/` },
}));

module.exports = {
  forbidden: [
    ...upward.filter((r) => !r.to.path.includes('$^')),
    {
      name: 'lib-not-above-entry',
      comment: 'lib/ never imports the entry points (hooks/, install.ts, bin/, scripts/, bench/, test/)',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(hooks|bin|scripts|bench|test)/|^install\\.ts$' },
    },
    {
      name: 'no-runtime-cycle',
      comment: 'a cycle of imports that exist at run time (type-only imports are erased)',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'lib-folders-known',
      comment: 'every folder of lib/ has a place in the layer order above',
      severity: 'error',
      from: { path: '^lib/', pathNot: `^lib/(${LAYERS.join('|')})/` },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.cjs'],
    },
    exclude: { path: '^(node_modules|dist)' },
  },
};
