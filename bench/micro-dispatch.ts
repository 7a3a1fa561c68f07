/**
 * Micro-benchmark of command dispatch without I/O (benchmark.js): a typed
 * method call, its declaration's argument builder, the client's flag lookup
 * (commandFlags) and the RESP encoding, as a client does them before writing.
 * Replies are not involved. Run from a tree: `node --import tsx bench/micro-dispatch.ts`;
 * the same file runs unchanged on older trees (it only uses CommandBase,
 * commandFlags and RequestEncoder), which is how the before/after in
 * RESULTS.md was taken.
 */
import Benchmark from 'benchmark';
import { CommandBase } from '../src/shared/command-base.js';
import { commandFlags } from '../src/shared/command-flags.js';
import { RequestEncoder } from '../src/protocol/encoder.js';

/** Encodes instead of sending; drops the encoded bytes every 1000 commands. */
class EncodingTarget extends CommandBase<Record<never, never>> {
  private readonly encoder = new RequestEncoder();
  private count = 0;
  flagsSeen = 0;

  dispatch(name: string, args: unknown[]): unknown {
    if (commandFlags(name, args).safe) this.flagsSeen++;
    this.encoder.encode(name, args);
    if (++this.count === 1000) {
      this.encoder.take();
      this.count = 0;
    }
    return undefined;
  }
}

interface Typed {
  set(key: string, value: string, options?: { ex: number }): unknown;
  get(key: string): unknown;
  hgetall(key: string): unknown;
}

const t = new EncodingTarget() as unknown as Typed;
const value = 'v'.repeat(100);
let i = 0;

const suite = new Benchmark.Suite('dispatch');
suite
  .add('set(k, v, { ex: 60 })', () => {
    t.set(`key:${i++ & 1023}`, value, { ex: 60 });
  })
  .add('hgetall(k)', () => {
    t.hgetall(`hash:${i++ & 1023}`);
  })
  .add('get(k)', () => {
    t.get(`key:${i++ & 1023}`);
  })
  .on('cycle', (e: Benchmark.Event) => {
    const b = e.target as unknown as Benchmark;
    console.log(
      `${String(b.name).padEnd(24)} ${Math.round(b.hz).toLocaleString('en-US').padStart(12)} ops/s ±${(b.stats?.rme ?? 0).toFixed(2)}% (${b.stats?.sample.length ?? 0} samples)`,
    );
  })
  .run();
