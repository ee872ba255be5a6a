import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'src/gen/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // The few plain .js files (this one, bin/) are outside tsconfig.json's project.
        projectService: { allowDefaultProject: ['*.js', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      // A promise nobody awaits or catches loses its error; one passed where a
      // callback is expected (an event handler, a condition) is never awaited.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Implementations of async interfaces (kafkajs handlers, the stores) stay
      // async without awaiting, so that they reject instead of throwing.
      '@typescript-eslint/require-await': 'off',
      'no-restricted-properties': [
        'error',
        { object: 'describe', property: 'only', message: 'Focused tests hide failures.' },
        { object: 'it', property: 'only', message: 'Focused tests hide failures.' },
        { object: 'test', property: 'only', message: 'Focused tests hide failures.' },
        { object: 'describe', property: 'skip', message: 'Skipped tests prove nothing.' },
        { object: 'it', property: 'skip', message: 'Skipped tests prove nothing.' },
        { object: 'test', property: 'skip', message: 'Skipped tests prove nothing.' },
      ],
    },
  },
  {
    // An indexed read or optional value is handled where it is read, or its invariant is
    // stated once (src/at.ts, a loop's bounds): `!` says nothing and fails nowhere.
    files: ['src/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'error' },
  },
  {
    // bin/radar.js imports dist/, which the lint that runs before the build cannot type.
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Tests take apart untyped JSON, protobuf objects and error payloads on purpose.
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
