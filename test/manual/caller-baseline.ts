/**
 * Manual measurement (not part of `npm test`): what the caller of test/manual/memory-stall.ts
 * costs by itself, without wredis (issue #11, item 6). The same loop (same key strings, same
 * `.then` handlers, a setImmediate every 100k), but each "command" is only the least any
 * promise-returning client must keep until it can settle it:
 *   node --expose-gc --import tsx test/manual/caller-baseline.ts [count] [mode]
 * mode:
 *   promise   `new Promise` whose resolve and reject are kept (one array entry each)
 *   keys      as `promise`, and the key string kept too (a client keeps it, or its bytes, until written)
 *   resolve   only `resolve` kept (rejecting would go through resolve(Promise.reject(e)))
 *   shared    as `promise` but with the two handlers hoisted (one pair of functions for all calls),
 *             the caller of `memory-stall.ts --shared-handlers`
 * Everything is then rejected in chunks of 4096 per timer run (as the client's timeouts are),
 * and RSS is read after GC. Prints RSS growth at the peak and heap bytes per command.
 */
const count = Number(process.argv[2] ?? 2_000_000);
const mode = process.argv[3] ?? 'keys';
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(0)} MB`;
const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

const resolvers: Array<(v: unknown) => void> = [];
const rejecters: Array<(e: Error) => void> = [];
const keys: string[] = [];

function fakeSet(key: string, value: string): Promise<unknown> {
  void value;
  return new Promise((resolve, reject) => {
    if (mode === 'resolve') resolvers.push(resolve);
    else {
      resolvers.push(resolve);
      rejecters.push(reject);
    }
    if (mode === 'keys') keys.push(key);
  });
}

gc();
gc();
const start = process.memoryUsage().rss;
const heapStart = process.memoryUsage().heapUsed;
let peak = start;
const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
let settled = 0;
let timedOut = 0;
const ok = (): number => settled++;
const fail = (): void => {
  settled++;
  timedOut++;
};
const value = 'v'.repeat(20);
for (let i = 0; i < count; i++) {
  if (mode === 'shared') fakeSet(`key:${i}`, value).then(ok, fail);
  else
    fakeSet(`key:${i}`, value).then(
      () => settled++,
      () => {
        settled++;
        timedOut++;
      },
    );
  if (i % 100_000 === 99_999) await new Promise((res) => setImmediate(res));
}
const issuePeak = Math.max(peak, process.memoryUsage().rss);
gc();
gc();
const heapQueued = process.memoryUsage().heapUsed;
const rssQueued = process.memoryUsage().rss;
const error = new Error('timed out');
for (let from = 0; from < count; from += 4096) {
  const to = Math.min(count, from + 4096);
  for (let i = from; i < to; i++) {
    if (mode === 'resolve') (resolvers[i] as (v: unknown) => void)(Promise.reject(error));
    else (rejecters[i] as (e: Error) => void)(error);
  }
  await sleep(0);
}
for (let i = 0; i < 100 && settled < count; i++) await sleep(10);
resolvers.length = 0;
rejecters.length = 0;
keys.length = 0;
clearInterval(sample);
peak = Math.max(peak, process.memoryUsage().rss);
for (let i = 0; i < 5; i++) {
  gc();
  await sleep(100);
}
console.log(
  JSON.stringify({
    count,
    mode,
    settled,
    rejected: timedOut,
    growth: mb(peak - start),
    growthWhileIssuing: mb(issuePeak - start),
    rssQueuedAfterGc: mb(rssQueued - start),
    heapPerCommand: Math.round((heapQueued - heapStart) / count),
    afterVsStart: mb(process.memoryUsage().rss - start),
  }),
);
