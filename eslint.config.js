import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'src/gen/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
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
);
