// Lint: typescript-eslint with type information (tsconfig.test.json covers src, test, bench,
// examples and scripts). Only rules that catch real mistakes — floating or misused promises,
// needless assertions, switches that miss a case, unused code — plus one local rule: a swallowed
// promise rejection must say why (a comment on its line or one of the three above), in src/.
import tseslint from 'typescript-eslint';

/** `.catch(() => undefined)` / `.catch(() => {})` without a comment explaining it. */
const explainedSwallow = {
  meta: {
    type: 'suggestion',
    docs: { description: 'A swallowed rejection carries a comment saying why' },
    messages: { unexplained: 'Swallowed rejection: say why in a comment on this line or just above it.' },
    schema: [],
  },
  create(context) {
    const source = context.sourceCode;
    const isEmpty = (fn) =>
      (fn.type === 'ArrowFunctionExpression' || fn.type === 'FunctionExpression') &&
      fn.params.length === 0 &&
      ((fn.body.type === 'Identifier' && fn.body.name === 'undefined') ||
        (fn.body.type === 'BlockStatement' && fn.body.body.length === 0));
    return {
      CallExpression(node) {
        const callee = node.callee;
        if (callee.type !== 'MemberExpression' || callee.property.type !== 'Identifier') return;
        if (callee.property.name !== 'catch' || node.arguments.length !== 1 || !isEmpty(node.arguments[0]))
          return;
        const line = node.loc.end.line;
        const explained = source
          .getAllComments()
          .some((c) => c.loc.end.line >= node.loc.start.line - 3 && c.loc.start.line <= line);
        if (!explained) context.report({ node, messageId: 'unexplained' });
      },
    };
  },
};

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'build/',
      'node_modules/',
      'docs/api/',
      'assembly/',
      'bench/out/',
      '**/*.generated.ts',
      'test/types/fail/**',
      // import.source (stage 3): the TypeScript parser of typescript-eslint cannot read it yet.
      'src/platform-deno.ts',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname },
    },
    plugins: {
      '@typescript-eslint': tseslint.plugin,
      wredis: { rules: { 'explained-swallow': explainedSwallow } },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // node:test's describe/it return promises the runner tracks itself.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrors: 'none',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  { files: ['src/**/*.ts'], rules: { 'wredis/explained-swallow': 'error' } },
);
