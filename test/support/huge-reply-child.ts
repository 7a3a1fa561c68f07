/**
 * Child process of test/parser-huge.test.ts, run with an explicit --max-old-space-size: one
 * client against the parent's scripted server asks for a huge reply (LRANGE), then for a small
 * one (GET) on the same client, and prints one JSON line describing what it got.
 */
import { Redis } from '../../src/index.js';

const port = Number(process.argv[2]);
const alphabet = process.argv[3] ?? '';
const r = new Redis({ host: '127.0.0.1', port, retry: undefined });
const out: Record<string, unknown> = {};
const t0 = Date.now();
try {
  const list = await r.lrange('big', 0, -1);
  out.length = list.length;
  // Every element, in order: the script sends alphabet[i % alphabet.length] at index i.
  let wrong = -1;
  for (let i = 0; i < list.length; i++) {
    if (list[i] !== alphabet[i % alphabet.length]) {
      wrong = i;
      break;
    }
  }
  out.firstWrong = wrong;
} catch (error) {
  const e = error as Error & { code?: string };
  out.error = { name: e.constructor.name, message: e.message, code: e.code };
}
out.ms = Date.now() - t0;
out.rssMiB = Math.round(process.memoryUsage().rss / 2 ** 20);
try {
  out.after = await r.get('after');
} catch (error) {
  out.afterError = String(error);
}
r.disconnect();
process.stdout.write(`${JSON.stringify(out)}\n`);
