/**
 * The parser on a runtime without Buffer (Workers, Deno without node compat): strings through
 * TextDecoder and char loops, binary replies as plain Uint8Arrays. Runs in a child process
 * whose global Buffer is removed before the parser module loads.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const script = `
  delete globalThis.Buffer;
  const { Parser } = await import(${JSON.stringify(new URL('../src/core/parser.ts', import.meta.url).href)});
  const { loadNodeCore } = await import(${JSON.stringify(new URL('../src/core/wasm-node.ts', import.meta.url).href)});
  loadNodeCore();
  const out = [];
  const p = new Parser({
    onReply: (v) => out.push(v),
    onError: (e) => out.push({ error: e.message }),
    onPush: (v) => out.push({ push: v }),
    onProtocolError: (c) => out.push({ protocol: c }),
  });
  const enc = new TextEncoder();
  const big = 'é'.repeat(40000) + 'x'.repeat(1000); // > 64 KiB of UTF-8: collected outside the core
  const wire = enc.encode('+OK\\r\\n$3\\r\\n€\\r\\n$30\\r\\n' + 'a'.repeat(30) + '\\r\\n%1\\r\\n+k\\r\\n:1\\r\\n-ERR x\\r\\n'
    + '$' + enc.encode(big).length + '\\r\\n' + big + '\\r\\n>1\\r\\n+p\\r\\n');
  for (let i = 0; i < wire.length; i += 7000) p.feed(wire.subarray(i, i + 7000));
  p.returnBuffers = true;
  p.feed(enc.encode('*2\\r\\n$2\\r\\nab\\r\\n+c\\r\\n'));
  const bin = out.pop();
  const ok = out[0] === 'OK' && out[1] === '€' && out[2] === 'a'.repeat(30) && out[3].k === 1
    && out[4].error === 'ERR x' && out[5] === big && out[6].push[0] === 'p'
    && Object.getPrototypeOf(bin[0]) === Uint8Array.prototype && bin[0][0] === 97 && bin[1][0] === 99;
  console.log(JSON.stringify({ ok, hasBuffer: typeof globalThis.Buffer, n: out.length }));
`;

describe('parser without Buffer', () => {
  it('decodes strings and binary replies with TextDecoder and Uint8Array', () => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(res.status, 0, res.stderr);
    assert.deepStrictEqual(JSON.parse(res.stdout.trim().split('\n').pop()!), {
      ok: true,
      hasBuffer: 'undefined',
      n: 7,
    });
  });

  it("refuses binary: 'buffer' when there is no Buffer", () => {
    const res = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `delete globalThis.Buffer;
         const { Parser } = await import(${JSON.stringify(new URL('../src/core/parser.ts', import.meta.url).href)});
         const { loadNodeCore } = await import(${JSON.stringify(new URL('../src/core/wasm-node.ts', import.meta.url).href)});
         loadNodeCore();
         try { new Parser({ onReply() {}, onError() {}, onPush() {}, onProtocolError() {} }, { binary: 'buffer' }); console.log('no'); }
         catch (e) { console.log(e instanceof TypeError ? 'TypeError' : 'other'); }`,
      ],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(res.status, 0, res.stderr);
    assert.equal(res.stdout.trim().split('\n').pop(), 'TypeError');
  });
});
