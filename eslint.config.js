// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Process boundaries, enforced here rather than remembered:
 * protocol/ imports nothing of ours; core/ only protocol/; renderer/ never main/ or server/;
 * server/ never a client folder.
 */
const ours = ['protocol', 'core', 'server', 'main', 'preload', 'renderer'];
/**
 * @typedef {{ group: string[], message: string }} ImportPattern
 * @param {string[]} allowed the folders of ours this folder may import
 * @param {ImportPattern[]} [within] further lines inside the folder itself
 */
const onlyImports = (allowed, within = []) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        ...ours
          .filter((dir) => !allowed.includes(dir))
          .map((dir) => ({
            group: [`**/${dir}/**`, `**/${dir}`],
            message: `This folder may not import ${dir}/ (see README.md, Architecture: the process boundaries).`,
          })),
        ...within,
      ],
    },
  ],
});

/**
 * Layers inside server/: the store keeps data and knows no feature (features import the store,
 * never the reverse), and signaling reaches the contact center only through its public module.
 */
const serverFeatures = [
  'calls',
  'contact-center',
  'http',
  'presence',
  'sfu',
  'signaling',
  'webhooks',
];
/** @type {ImportPattern[]} */
const storeLayer = [
  {
    group: serverFeatures.map((dir) => `**/${dir}/**`),
    message:
      'server/store/ keeps data for the features and imports none of them (see README.md, Architecture).',
  },
];
/** @type {ImportPattern[]} */
const signalingLayer = [
  {
    group: ['**/contact-center/*', '!**/contact-center/index.js', '!**/contact-center/handlers.js'],
    message:
      'Signaling reaches the contact center through contact-center/index.ts (and its handlers.ts) only.',
  },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'out',
      'dist',
      'coverage',
      'test-results',
      'playwright-report',
      '**/*.d.ts',
      '**/*.d.cts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
    },
  },
  { files: ['protocol/**'], rules: onlyImports([]) },
  // Tests of the client core run it against the real server; product code never imports it.
  { files: ['core/**'], ignores: ['core/**/*.test.ts'], rules: onlyImports(['protocol']) },
  { files: ['server/**'], rules: onlyImports(['protocol', 'server']) },
  {
    files: ['server/store/**'],
    ignores: ['**/*.test.ts'],
    rules: onlyImports(['protocol', 'server'], storeLayer),
  },
  {
    files: ['server/signaling/**'],
    ignores: ['**/*.test.ts'],
    rules: onlyImports(['protocol', 'server'], signalingLayer),
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: onlyImports(['protocol', 'core', 'renderer']),
  },
  { files: ['preload/**'], rules: onlyImports(['protocol', 'preload']) },
  { files: ['main/**'], rules: onlyImports(['protocol', 'core', 'main']) },
  {
    // Tests, benchmarks and scripts talk to the terminal on purpose.
    files: ['**/*.test.ts', 'bench/**', 'scripts/**', 'e2e/**'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  { files: ['**/*.js', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  // Plain CommonJS (a worker thread's entry: workers get no TypeScript loader).
  { files: ['**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
