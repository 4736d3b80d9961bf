import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Imports that cross a package boundary by path. The packages export what others may use (package.json
// "exports"), and tests share helpers through @xp2p/testing, so every such import has a name to use instead.
// Regular expressions, not gitignore-style groups: a group like '../../*/src/*' matches only one exact depth
// and never matched the imports it was written for.
const crossPackageImports = [
  {
    // '../packages/sdk/src/x.js' (e2e, scripts), '../../../protocol/src/x.js' (one package into another)
    regex: String.raw`^(\.\./)+(packages/|[^./][^/]*/(src|dist)(/|$))`,
    message: 'import another package by its name (@xp2p/...), not by a relative path into packages/',
  },
  {
    regex: String.raw`^@xp2p/[^/]+/(src|dist)(/|$)`,
    message: "import a package's exports (@xp2p/name or a subpath its package.json exports), not its src/ or dist/",
  },
];

// Test helpers are for tests only: production code never depends on them.
const testHelperImports = {
  regex: String.raw`^@xp2p/testing(/|$)`,
  message: '@xp2p/testing is for tests only (*.test.ts, *.test-support.ts, e2e/)',
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.xp2p/**', 'docs/api/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        performance: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: crossPackageImports }],
    },
  },
  {
    // whole-system tests reach files of the packages (the built CLI, fixtures) through @xp2p/testing's paths
    files: ['e2e/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: String.raw`Literal[value=/^(\.\.\/)+packages\//], TemplateElement[value.raw=/^(\.\.\/)+packages\//]`,
          message:
            'a path into packages/: use what @xp2p/testing exports (XP2P_CLI, AV_FLV_FIXTURE) or a package export',
        },
      ],
    },
  },
  {
    // production source: the same rule plus no test helpers (a later block's options replace, not extend)
    files: ['packages/*/src/**'],
    ignores: ['packages/testing/**', '**/*.test.ts', '**/*.test-support.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...crossPackageImports, testHelperImports] }],
    },
  },
);
