// Lint (part of npm test): what review keeps catching here. Type-aware rules from typescript-eslint: unused code,
// promises nobody awaits or handles, and `any` leaking out of message boundaries into typed code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/bench/results/**', 'test-results/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-explicit-any': 'error',
      // Empty catch blocks say why in a comment; an empty function is a no-op handler on purpose.
      'no-empty': ['error', { allowEmptyCatch: false }],
      '@typescript-eslint/no-empty-function': 'off',
      // Control characters in regexes here are deliberate (Latin-1 and ASCII classes, JSON's escapes).
      'no-control-regex': 'off',
    },
  },
  {
    // The layering: capture and model are pure (no browser APIs, no views); only platform and entries touch the browser.
    files: ['src/capture/**', 'src/model/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/platform/**', '**/panel/**', '**/entries/**', 'webextension-polyfill', 'preact', 'preact/*'] }],
      'no-restricted-globals': ['error', 'chrome', 'browser'],
    },
  },
  {
    files: ['src/panel/**'],
    rules: { 'no-restricted-globals': ['error', 'chrome', 'browser'] },
  },
  {
    // The Firefox page hook and the intercept rules take the page's built-ins once, at install, and call them with
    // Reflect.apply: methods held apart from their objects are the point.
    files: ['src/capture/firefox/**', 'src/capture/intercept-in-page.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
  {
    // Tests and benches drive pages and fixtures whose shapes are checked by their assertions.
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      // testing-library's queries are taken apart from the render result by design.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
