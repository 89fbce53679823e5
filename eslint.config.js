// neostandard lints and formats; typescript-eslint adds the type-aware promise rules (CONVENTIONS §3.14).
import neostandard from 'neostandard'
import tseslint from 'typescript-eslint'

export default [
  { ignores: ['**/node_modules/**', '.run/**', 'web/dist/**', 'services/_template/**', 'coverage/**'] },
  ...neostandard({ ts: true }),
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname }
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // `void promise` is how a deliberately un-awaited call is marked for no-floating-promises
      'no-void': ['error', { allowAsStatement: true }],
      // TypeBox names a schema and its Static type alike (`const Role = …; type Role = Static<typeof Role>`)
      '@typescript-eslint/no-redeclare': 'off',
      // loops run until stop() flips their flag from outside; TypeScript checks the rest
      'no-unmodified-loop-condition': 'off'
    }
  }
]
