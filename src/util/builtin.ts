/**
 * Node built-in modules looked up at run time with `process.getBuiltinModule` (Node >= 20.16,
 * Deno 2, Bun, workerd with `nodejs_compat`) instead of a static `import`: a bundle for
 * workerd without `nodejs_compat` must load even though no `node:*` module exists there, so
 * nothing here may name one at module level. Where the lookup is impossible the answer is
 * `undefined` and callers fall back to doing nothing.
 */
export function builtin<T>(name: string): T | undefined {
  try {
    const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    return p?.getBuiltinModule?.(name) as T | undefined;
  } catch {
    return undefined;
  }
}
