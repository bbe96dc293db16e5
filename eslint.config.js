// Lint rules the style guide asks for: no floating promises, exhaustive switches, strict types.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'schema/**', '**/.rig/**', 'eslint.config.js', 'bin/**', 'scripts/**/*.mjs', 'bench/**/*.mjs'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // Role and smoke-check modules are loaded by Node's type stripping, which erases types only (README "Roles").
    files: ['roles/**/*.ts', 'smoke-tests/**/*.ts', 'bench/project/roles/**/*.ts', 'test/fixtures/roles/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...[
          ['TSEnumDeclaration', 'an enum'],
          ['TSModuleDeclaration[declare!=true]', 'a namespace'],
          ['TSParameterProperty', 'a parameter property'],
          ['TSImportEqualsDeclaration', 'import x = require()'],
          ['TSExportAssignment', 'export ='],
        ].map(([selector, what]) => ({
          selector,
          message: `${what} cannot be loaded by Node's type stripping (roles must use erasable TypeScript only)`,
        })),
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
