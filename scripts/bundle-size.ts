/**
 * What wredis weighs in a Cloudflare Worker: bundles the `workerd` entry point with esbuild
 * the way Wrangler does (workerd/worker/browser conditions, minified, `cloudflare:sockets`
 * external, `core.wasm` a separate module) and prints raw and gzip sizes of the JS and the
 * `.wasm`, for two cases: the whole API (every export kept) and a Worker that imports only
 * `Redis`. Target: under 100 KB gzipped for JS + .wasm.
 *
 *   node --import tsx scripts/bundle-size.ts [--json]
 *
 * Needs build/core.wasm (`npm run build:wasm`).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build, type BuildOptions, type Plugin } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET_GZIP = 100 * 1024;

const wasmAsModule: Plugin = {
  name: 'wasm-as-module',
  setup(b) {
    b.onResolve({ filter: /(^#core\.wasm$)|(\.wasm$)/ }, () => ({ path: './core.wasm', external: true }));
  },
};

const common: BuildOptions = {
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  conditions: ['workerd', 'worker', 'browser'],
  mainFields: ['browser', 'module', 'main'],
  external: ['cloudflare:*'],
  plugins: [wasmAsModule],
  minify: true,
  legalComments: 'none',
  logLevel: 'silent',
  metafile: true,
};

/** A minimal Worker using only the standalone client. */
const REDIS_ONLY = `import { Redis } from './src/index.workerd.js';
export default {
  async fetch(request, env) {
    const r = new Redis({ host: env.REDIS_HOST, port: 6379 });
    try { return new Response(await r.get('greeting')); } finally { await r.close(); }
  },
};
`;

interface Sizes {
  case: string;
  js: number;
  jsGzip: number;
  jsBrotli: number;
  wasm: number;
  wasmGzip: number;
  totalGzip: number;
  nodeImports: string[];
}

function gz(b: Uint8Array): number {
  return gzipSync(b, { level: 9 }).byteLength;
}

function br(b: Uint8Array): number {
  return brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).byteLength;
}

async function measure(name: string, options: BuildOptions, wasm: Uint8Array): Promise<Sizes> {
  const result = await build({ ...common, ...options });
  const js = result.outputFiles![0]!.contents;
  const nodeImports = Object.values(result.metafile!.outputs)
    .flatMap((o) => o.imports.map((i) => i.path))
    .filter((p) => p.startsWith('node:'));
  const jsGzip = gz(js);
  const wasmGzip = gz(wasm);
  return {
    case: name,
    js: js.byteLength,
    jsGzip,
    jsBrotli: br(js),
    wasm: wasm.byteLength,
    wasmGzip,
    totalGzip: jsGzip + wasmGzip,
    nodeImports,
  };
}

const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;

async function main(): Promise<void> {
  const wasm = readFileSync(join(root, 'build', 'core.wasm'));
  const rows = [
    await measure(
      'whole API (`export *` of the workerd entry)',
      { entryPoints: [join(root, 'src', 'index.workerd.ts')] },
      wasm,
    ),
    await measure(
      'Worker importing only `Redis`',
      { stdin: { contents: REDIS_ONLY, resolveDir: root, sourcefile: 'worker.js', loader: 'js' } },
      wasm,
    ),
  ];
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(rows, null, 2));
  } else {
    console.log(
      '| Workers bundle (esbuild, minified) | JS | JS gzip | JS brotli | core.wasm | wasm gzip | JS + wasm gzip |',
    );
    console.log('|---|---|---|---|---|---|---|');
    for (const r of rows) {
      console.log(
        `| ${r.case} | ${kb(r.js)} | ${kb(r.jsGzip)} | ${kb(r.jsBrotli)} | ${kb(r.wasm)} | ${kb(r.wasmGzip)} | **${kb(r.totalGzip)}** |`,
      );
    }
    console.log(
      `\nTarget: JS + wasm under ${kb(TARGET_GZIP)} gzipped. esbuild ${(await import('esbuild')).version}, gzip level 9.`,
    );
  }
  let failed = false;
  for (const r of rows) {
    if (r.nodeImports.length > 0) {
      console.error(`${r.case}: imports Node modules: ${r.nodeImports.join(', ')}`);
      failed = true;
    }
    if (r.totalGzip > TARGET_GZIP) {
      console.error(`${r.case}: ${kb(r.totalGzip)} gzipped is over the ${kb(TARGET_GZIP)} target`);
      failed = true;
    }
  }
  if (failed) process.exitCode = 1;
}

await main();
