// @ts-check
/**
 * TypeDoc plugin for wredis' API reference (`npm run docs`).
 *
 * 1. Client methods are declared once, with their TSDoc, as declaration objects
 *    (src/commands/methods/*.ts) and reach `Redis`, `Pipeline` … through mapped types
 *    (`Signatures<D>`, then `Promised<T>`, `ChainedBatch<…>`). TypeScript keeps the original declaration of a mapped member
 *    (editors show its comment), but TypeDoc reads the comment of the mapped signature and finds
 *    none. The plugin copies the member symbol's comment onto a reflection that has none; for a
 *    shorthand property (`errors = { RedisError, … }`) it takes the comment of the value.
 * 2. A typed command method whose declaration has no comment of its own gets one line naming the
 *    Redis command it sends and the version that introduced it, from the command table (dist/).
 * 3. Members marked `@internal` where they are declared stay out also when they reach a class
 *    through a mapped type (TypeDoc sees the tag only on the original declaration).
 * 4. The untyped methods generated from the command table (raw.generated.ts, one per command) are
 *    left out: each takes `(...args)` and returns the reply as `call()` decodes it, which the
 *    `Redis` class documentation says once; listing ~300 of them per class would bury the rest.
 */
import ts from 'typescript';
import { Comment, Converter, ReflectionKind } from 'typedoc';
import { lookupCommand } from '../dist/src/commands/table.js';

const MEMBER = ReflectionKind.Property | ReflectionKind.Method | ReflectionKind.Accessor;

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const project = context.project;
    const checker = context.programs[0].getTypeChecker();
    for (const reflection of Object.values(project.reflections)) {
      if (!reflection.kindOf(MEMBER)) continue;
      const symbol = context.getSymbolFromReflection(reflection);
      if (symbol === undefined) continue;
      const declarations = symbol.getDeclarations() ?? [];
      const internal = symbol.getJsDocTags().some((tag) => tag.name === 'internal');
      if (internal || declarations.some((d) => d.getSourceFile().fileName.endsWith('/raw.generated.ts'))) {
        project.removeReflection(reflection);
        continue;
      }
      const decl = /** @type {import('typedoc').DeclarationReflection} */ (reflection);
      const signatures = decl.signatures ?? [];
      if (decl.comment !== undefined || (signatures.length > 0 && signatures.every((s) => s.comment)))
        continue;
      const text = symbolDoc(symbol, checker) || commandDoc(reflection.name, declarations);
      if (text === '') continue;
      if (signatures.length === 0) decl.comment = comment(text);
      for (const signature of signatures) signature.comment ??= comment(text);
    }
  });
}

/**
 * @param {ts.Symbol} symbol
 * @param {ts.TypeChecker} checker
 * @returns {string}
 */
function symbolDoc(symbol, checker) {
  const own = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
  if (own !== '') return own;
  const shorthand = symbol.getDeclarations()?.find(ts.isShorthandPropertyAssignment);
  const value = shorthand && checker.getShorthandAssignmentValueSymbol(shorthand);
  if (value === undefined) return '';
  const target = value.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(value) : value;
  return ts.displayPartsToString(target.getDocumentationComment(checker)).trim();
}

/**
 * `zrangeWithScores` -> ZRANGE, `xinfoStream` -> XINFO STREAM: the longest command name the method
 * name starts with, and the subcommand that follows when it is a container.
 * @param {string} method
 * @param {ts.Declaration[]} declarations
 */
function commandDoc(method, declarations) {
  if (!declarations.some((d) => /\/src\/commands\/methods\/[^/]+\.ts$/.test(d.getSourceFile().fileName)))
    return '';
  const lower = method.toLowerCase();
  for (let end = lower.length; end > 0; end--) {
    const spec = lookupCommand(lower.slice(0, end), [lower.slice(end)]);
    if (spec === undefined) continue;
    const name = spec.name.toUpperCase().replace('|', ' ');
    return `Sends \`${name}\` (Redis ${spec.since}+, ${spec.group.replace('_', ' ')} commands); the reply is shaped as the signature says, the same under RESP2 and RESP3.`;
  }
  return '';
}

/** @param {string} text */
function comment(text) {
  return new Comment([{ kind: 'text', text }]);
}
