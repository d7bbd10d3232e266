// Lint the TypeScript sources of every workspace; compiled output and vendored code are ignored.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Package edges: a workspace package is reached only by its name, through what its package.json
 * exports. No compiled output (`dist/`) and no deep path into another package's `src/` or `test/`,
 * by name or by a relative path that climbs out of the importing package.
 */
const EDGE_PATTERNS = [
  { regex: '(^|/)dist(/|$)', message: "compiled output: import the package by its name (its package.json exports), never a dist/ path" },
  { regex: '^@veilnode/[^/]+/(src|test)(/|$)', message: "another package's internals: import what @veilnode/<package> exports" },
  {
    regex: '^(\\.\\./)+((packages|transports|plugins|tools)/[^/]+|[^./][^/]*)/(src|test)(/|$)',
    message: "another package's internals by a relative path: import it by its package name",
  },
];

/** The edges themselves, with the edge rules above: `no-restricted-imports` for one package's files. */
function edges(...patterns) {
  return { 'no-restricted-imports': ['error', { patterns: [...EDGE_PATTERNS, ...patterns] }] };
}

/** Only these @veilnode packages (and their exported subpaths) may be imported from `from`. */
function onlyImports(from, allowed) {
  const names = allowed.length === 0 ? 'nothing of veilnode' : allowed.map((name) => `@veilnode/${name}`).join(', ');
  return { regex: `^@veilnode/(?!(${allowed.join('|')})(/|$))`, message: `${from} may import only ${names} (README: package layout)` };
}

export const importBoundaries = edges();

/**
 * Who may import whom, bottom up: the plugin API imports nothing of ours; the protocol only the
 * plugin API; the node both; a transport or plugin only the plugin API (in tests also the
 * compliance suite) and the shared libraries it is built on.
 */
const PACKAGE_EDGES = [
  ['packages/plugin-api', []],
  ['packages/protocol', ['plugin-api']],
  ['packages/node', ['plugin-api', 'protocol']],
  ['transports/clearnet', ['plugin-api', 'compliance']],
  ['transports/kovri', ['plugin-api', 'compliance']],
  ['transports/memory', ['plugin-api', 'compliance']],
  ['transports/socks-base', ['plugin-api']],
  ['transports/tor', ['plugin-api', 'socks-transport', 'compliance']],
  ['transports/i2p-socks', ['plugin-api', 'socks-transport', 'i2p-zone', 'compliance']],
  ['transports/i2p-sam', ['plugin-api', 'i2p-zone', 'compliance']],
  ['plugins/compliance', ['plugin-api']],
  ['plugins/i2p-zone', ['plugin-api']],
  ['plugins/split-query', ['plugin-api', 'compliance']],
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.d.ts', 'eslint.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  { files: ['**/*.ts'], rules: importBoundaries },
  ...PACKAGE_EDGES.map(([dir, allowed]) => ({ files: [`${dir}/**/*.ts`], rules: edges(onlyImports(dir, allowed)) })),
  {
    // CommonJS plugin fixtures: plain Node modules, as third-party plugin authors write them.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', globalThis: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/test/**/*.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },
);
