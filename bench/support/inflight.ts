/**
 * The W2 and W3 loops run in-process by micro-roundtrip.ts and profile-inflight.ts, so both
 * measure the same commands: W2 is GET/SET 100 B with 100 in flight (100 workers, each awaiting
 * one command at a time); W3 is pipelines of 1,000 GET, one at a time (`pipeline().exec()`).
 */

/** What W2 and W3 need of a client. */
export interface InflightClient {
  get(k: string): Promise<unknown>;
  set(k: string, v: string): Promise<unknown>;
  pipeline(): { get(k: string): unknown; exec(): Promise<unknown[]> };
}

/** How many keys W2 and W3 use (and so the length of a W3 pipeline). */
export const INFLIGHT_KEYS = 1000;
/** The 100 B value W2 writes (and a seeded server holds). */
export const INFLIGHT_VALUE = 'v'.repeat(100);
/** The keys, `key:0` … `key:999`. */
export const inflightKeys: readonly string[] = Array.from({ length: INFLIGHT_KEYS }, (_, i) => `key:${i}`);

/** W2: `n` commands, alternately GET and SET, with `width` (100) in flight. */
export async function w2(c: InflightClient, n: number, width = 100): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      const k = inflightKeys[i % INFLIGHT_KEYS] as string;
      if ((i & 1) === 0) await c.get(k);
      else await c.set(k, INFLIGHT_VALUE);
    }
  };
  const all: Array<Promise<void>> = [];
  for (let w = 0; w < width; w++) all.push(worker());
  await Promise.all(all);
}

/** W3: `n` pipelines of 1,000 GET, one after another. */
export async function w3(c: InflightClient, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const p = c.pipeline();
    for (let j = 0; j < INFLIGHT_KEYS; j++) p.get(inflightKeys[j] as string);
    const r = await p.exec();
    if (r.length !== INFLIGHT_KEYS) throw new Error('short pipeline');
  }
}

/**
 * The loop for a workload name (`W3`, else W2) and how many commands one of its operations
 * sends (a W3 operation is a pipeline of 1,000).
 */
export function inflightWorkload(name: string): {
  run: (c: InflightClient, n: number) => Promise<void>;
  commandsPerOp: number;
} {
  return name === 'W3' ? { run: w3, commandsPerOp: INFLIGHT_KEYS } : { run: w2, commandsPerOp: 1 };
}
