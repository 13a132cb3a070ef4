// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/**
 * The import direction docs/architecture.md draws: each room, and the rooms its files may import (their
 * own always). An import of any other room fails `npm run lint`; so does a value import of a room named
 * under TYPE_ONLY, a workload's module importing another workload's, and the generation core importing a
 * workload. test/unit/import-layers.test.ts shows a wrong import failing.
 */
const ROOMS = ['schemas', 'infra', 'workflows', 'activities', 'worker', 'client', 'simulator', 'stack', 'scripts', 'bench', 'test'];
const EVERYTHING_BUT_TESTS = ['schemas', 'infra', 'workflows', 'activities', 'worker', 'client', 'simulator', 'stack', 'scripts'];
/** @type {Record<string, string[]>} */
const MAY_IMPORT = {
  schemas: [],
  infra: ['schemas'],
  // The ffmpeg resolver only: the simulator knows nothing of the product.
  simulator: ['infra'],
  workflows: ['schemas'],
  activities: ['schemas', 'infra', 'workflows'],
  worker: ['schemas', 'infra', 'activities', 'workflows'],
  client: ['schemas', 'infra', 'workflows'],
  stack: ['schemas', 'infra'],
  scripts: EVERYTHING_BUT_TESTS,
  bench: EVERYTHING_BUT_TESTS,
  test: ROOMS,
};
/** @type {Record<string, string[]>} */
const TYPE_ONLY = { workflows: ['activities'] };
/** The rooms that keep one folder per workload beside their common modules. */
const WORKLOAD_ROOMS = ['workflows', 'client'];
const WORKLOADS = ['campaign', 'broll', 'explainer'];
const MAX_DEPTH = 3;

/**
 * @param {string[]} targets  folders the import must not reach
 * @param {number} depth  how many `../` lead from the importing file to where the folders sit
 * @param {string} message
 */
const refuse = (targets, depth, message, allowTypeImports = false) => ({
  regex: `^(\\.\\./){${depth}}(${targets.join('|')})(/|$)`,
  message,
  ...(allowTypeImports ? { allowTypeImports } : {}),
});
/** @param {object[]} patterns */
const restricted = (patterns) => ({ '@typescript-eslint/no-restricted-imports': ['error', { patterns }] });

function importLayers() {
  const configs = [];
  for (const room of ROOMS) {
    const typeOnly = TYPE_ONLY[room] ?? [];
    const allowed = [room, ...MAY_IMPORT[room]];
    const forbidden = ROOMS.filter((other) => !allowed.includes(other) && !typeOnly.includes(other));
    for (let depth = 1; depth <= MAX_DEPTH; depth++) {
      const patterns = [];
      if (forbidden.length > 0)
        patterns.push(refuse(forbidden, depth, `${room}/ imports only ${allowed.join(', ')} (docs/architecture.md)`));
      if (typeOnly.length > 0)
        patterns.push(
          refuse(typeOnly, depth, `${room}/ may only \`import type\` from ${typeOnly.join(', ')} (docs/architecture.md)`, true),
        );
      if (patterns.length > 0) configs.push({ files: [`${room}/${'*/'.repeat(depth - 1)}*.ts`], rules: restricted(patterns) });
      // Later entries win: a workload's folder and the core get the room's patterns plus their own.
      if (depth !== 2 || !WORKLOAD_ROOMS.includes(room)) continue;
      for (const workload of WORKLOADS) {
        const peers = WORKLOADS.filter((other) => other !== workload);
        const message = `a workload imports no other workload's module; what two share lives in ${room}/'s common modules`;
        configs.push({ files: [`${room}/${workload}/*.ts`], rules: restricted([...patterns, refuse(peers, 1, message)]) });
      }
      if (room === 'workflows') {
        const message = 'the generation core imports no workload: workloads import the core';
        configs.push({ files: ['workflows/generation/*.ts'], rules: restricted([...patterns, refuse(WORKLOADS, 1, message)]) });
      }
    }
  }
  return configs;
}

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', '.tools/', 'bench/results/', 'test/chaos/results/', 'test/artifacts/', 'coverage/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits hides its failure; in a workflow it also hides a bug in ordering.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  ...importLayers(),
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly' } },
  },
  {
    // Scripts shipped to learners' browsers inside a delivery (the SCORM player).
    files: ['activities/delivery/*.js'],
    languageOptions: { sourceType: 'script', globals: { window: 'readonly', document: 'readonly', setInterval: 'readonly' } },
  },
  prettier,
);
