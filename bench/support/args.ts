/**
 * Command-line options of the benchmark scripts: `--name value` pairs anywhere after the script.
 */

/**
 * The value after `--name` on the command line, or `fallback` when the flag is absent or is the
 * last word (a flag without its value means "default", not an error: these are hand-run scripts).
 */
export function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}
