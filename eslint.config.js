// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { readFileSync } from 'node:fs';

/** The layers of src/ (see ARCHITECTURE.md): each folder imports only the folders listed for it. */
const layers = /** @type {Record<string, string[]>} */ (
  JSON.parse(readFileSync(new URL('./layers.json', import.meta.url), 'utf8'))
);
const layerRules = Object.entries(layers).map(([folder, allowed]) => {
  const forbidden = Object.keys(layers).filter((f) => f !== folder && !allowed.includes(f));
  return {
    files: [`src/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: forbidden
                .flatMap((f) => [`../${f}/*`, `../../${f}/*`])
                .concat(['../index.js', '../../index.js']),
              message: `src/${folder}/ may import only ${allowed.length ? allowed.join(', ') : 'nothing but errors.ts'} (layers.json).`,
            },
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'temp/', 'coverage/', 'fixtures/', '.cache/', 'bench/.data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='process'][callee.property.name='exit']",
          message: 'Only the CLI may exit.',
        },
      ],
    },
  },
  // Type-aware rules on the library's own code: the strictest preset, with two choices of ours.
  ...tseslint.configs.strictTypeChecked.map((config) => ({ ...config, files: ['src/**/*.ts'] })),
  {
    files: ['src/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Numbers in messages are fine; objects, arrays, nullish and unknown values are not.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // With noUncheckedIndexedAccess an index read is `T | undefined`; `!` after a bounds check
      // is the honest way to say "checked", so it is allowed.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Public entry points check at run time what JavaScript callers pass (typeof checks the types
      // already exclude); this rule calls each of those checks unnecessary.
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
  ...layerRules,
  {
    files: ['src/errors.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['./*'], message: 'errors.ts is a leaf.' }] }],
    },
  },
  {
    files: ['src/cli/**', 'bench/**', 'test/**', 'scripts/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
