/**
 * Stream consumers as async iterators: `for await (const e of r.streamConsumer({ … }))`.
 *
 * With `group` (XREADGROUP), in this order:
 * 1. set-up, on the first `next()`: options are checked (StreamConsumerInitializationError),
 *    groups are created (`XGROUP CREATE … MKSTREAM`; BUSYGROUP ignored, or rejected as
 *    StreamDuplicateConsumerGroupError with `autoCreate: 'fresh'`) or, with `autoCreate: false`,
 *    checked to exist (XINFO GROUPS);
 * 2. this consumer's own pending entries (read with id 0: delivered before, never acked;
 *    entries deleted from the stream meanwhile are acked and skipped);
 * 3. with `claimIdleMs`, entries other consumers left pending longer than that (XAUTOCLAIM),
 *    again every `claimIdleMs` while running, so a crashed peer's entries are taken over
 *    (keep it above your longest processing time, or live peers' entries are taken too);
 * 4. new entries (`>`), each read waiting up to `block` ms on a dedicated connection.
 * Acks: `ack: 'auto'` (default) acknowledges an entry when the next one is asked for (XACKs
 * are batched per stream before the next read); the entry you `break` or throw on stays
 * pending (at-least-once: it is redelivered by step 2 or 3). `'manual'`: call `entry.ack()`.
 *
 * Without `group` (XREAD): from `startId` (`$` = entries added after the first `next()`; the
 * last ID is looked up once so nothing between reads is missed) onwards.
 *
 * A lost connection (or a command timeout) while reading or acking leaves the outcome unknown:
 * the server may have delivered entries the reply never brought. The group consumer then sends
 * its acks again and re-reads its own pending entries (step 2, from id 0) before going on, so
 * those entries are handed out too (some may come twice: at-least-once; with `ack: 'manual'`,
 * also those handed out and not acked yet). At most MAX_LOST_IN_A_ROW (3) such failures in a
 * row are repaired; the next one, one during set-up, one with `recoverPending: false` and any
 * of XREAD end the iteration: `next()` rejects with the ConnectionError.
 *
 * Ends: on `break` / `return()`, when the client closes (`close()`: within one `block`), and,
 * with `stopWhenIdle`, when a read finds nothing. Nothing is thrown synchronously.
 */
import {
  ConnectionError,
  ErrorCodes,
  NoKeyError,
  StreamConsumerInitializationError,
  StreamDuplicateConsumerGroupError,
} from '../errors/index.js';
import { toObject } from '../commands/methods/transforms.js';
import { asText, isClosed, type ClientLike } from './types.js';

interface CommonOptions {
  /** Stream names, or `{ name: startId }` to start each stream at its own ID. */
  streams: string | readonly string[] | Readonly<Record<string, string>>;
  /**
   * Where reading starts, for streams without their own ID: XREAD's first ID, or the ID a
   * group created here starts after. Default `'$'` (only entries added from now on).
   */
  startId?: string;
  /** Entries per read per stream (COUNT). Default 10. */
  batch?: number;
  /** How long one read waits for new entries, ms (BLOCK; 0 = forever, delays `close()` as long). Default 2000. */
  block?: number;
  /** End the iteration when a read returns nothing (after waiting `block` ms, or at once when `block` is not set). */
  stopWhenIdle?: boolean;
}

/** Plain XREAD consumer. */
export interface StreamReaderOptions extends CommonOptions {
  /** No group: plain XREAD. */
  group?: undefined;
}

/** Consumer group member (XREADGROUP). */
export interface StreamGroupConsumerOptions extends CommonOptions {
  /** Consumer group name. */
  group: string;
  /** This consumer's name within the group. */
  consumer: string;
  /** Create missing groups (default true); `'fresh'`: the group must not exist yet (else StreamDuplicateConsumerGroupError); `false`: it must exist. */
  autoCreate?: boolean | 'fresh';
  /** `'auto'` (default): acked when the next entry is asked for; `'manual'`: `entry.ack()`. */
  ack?: 'auto' | 'manual';
  /** Take over entries other consumers left pending this long (ms), at start and every `claimIdleMs`. Default: never. */
  claimIdleMs?: number;
  /** Re-deliver this consumer's own pending entries first. Default true. */
  recoverPending?: boolean;
}

/** Options of `streamConsumer()`: a plain reader (no `group`) or a group consumer. */
export type StreamConsumerOptions = StreamReaderOptions | StreamGroupConsumerOptions;

/** One stream entry. `V` is `string`, or bytes from a `withBuffers()` client. */
export interface ConsumerEntry<V = string> {
  /** The stream the entry came from. */
  stream: string;
  /** Entry ID. */
  id: string;
  /** Field names and values. */
  fields: Record<string, V>;
}

/** An entry read through a consumer group. */
export interface GroupConsumerEntry<V = string> extends ConsumerEntry<V> {
  /** XACK this entry (resolves false when it was not pending any more). Idempotent. */
  ack(): Promise<boolean>;
}

const DEFAULT_BATCH = 10;
const DEFAULT_BLOCK = 2000;
/** Reads or acks of unknown outcome in a row (no read answered between them) before the error ends the iteration. */
const MAX_LOST_IN_A_ROW = 3;

type Phase = 'setup' | 'own' | 'claim' | 'live' | 'done';

interface Config {
  streams: string[];
  /** Per stream: XREAD's next ID, or the group's creation ID. */
  ids: string[];
  group: string | undefined;
  consumer: string;
  autoCreate: boolean | 'fresh';
  manualAck: boolean;
  claimIdleMs: number | undefined;
  recoverPending: boolean;
  batch: number;
  block: number | undefined;
  stopWhenIdle: boolean;
}

/** The iterator `r.streamConsumer()` returns. Also `for await`-able directly. */
export class StreamConsumer<
  E extends ConsumerEntry<unknown> = ConsumerEntry,
> implements AsyncIterableIterator<E> {
  private readonly config: Config | undefined;
  private readonly invalid: StreamConsumerInitializationError | undefined;
  private phase: Phase = 'setup';
  private readonly buffer: Array<ConsumerEntry<unknown>> = [];
  /** The entry handed out last; auto-acked when the next one is asked for. */
  private current: ConsumerEntry<unknown> | undefined;
  /** Entries acked (or queued for XACK) already. */
  private readonly acked = new WeakSet<ConsumerEntry<unknown>>();
  /** stream -> IDs to XACK before the next read. */
  private readonly toAck = new Map<string, string[]>();
  /** Streams (indexes) still being walked in the 'own' and 'claim' phases, with their cursors. */
  private cursors = new Map<number, string>();
  private lastClaim = 0;
  /** Reads or acks of unknown outcome since the last answered read. */
  private lostInARow = 0;
  private stopped = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: ClientLike,
    options: StreamConsumerOptions,
  ) {
    try {
      this.config = validate(options);
    } catch (e) {
      this.invalid = e as StreamConsumerInitializationError;
    }
  }

  /** The consumer is its own async iterator. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next entry; calls are served one at a time, in order. */
  next(): Promise<IteratorResult<E, undefined>> {
    const result = this.queue.then(() => this.step());
    // The queue only orders calls: the caller gets `result` itself, rejection included.
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Stops the iteration (what `break` calls). Acks of entries already finished are sent; the
   * entry handed out last stays pending. A read in flight ends within `block` ms.
   */
  async return(): Promise<IteratorResult<E, undefined>> {
    this.stopped = true;
    const pending = this.queue;
    this.current = undefined;
    await pending;
    await this.finish();
    return { done: true, value: undefined };
  }

  private async step(): Promise<IteratorResult<E, undefined>> {
    if (this.phase === 'done' || this.stopped) return this.end();
    if (this.invalid !== undefined) {
      this.phase = 'done';
      throw this.invalid;
    }
    const config = this.config as Config;
    const done = this.current;
    this.current = undefined;
    if (done !== undefined && !config.manualAck) this.markDone(done);
    // Bounded: each turn reads from the server, and a live read waits `block` ms when idle.
    for (;;) {
      // Closed: the entries read with the last batch stay pending for the next run. Handed out,
      // none of them could be acked (nor handled with this client), so each would be done twice.
      if (this.stopped || isClosed(this.client)) return this.end();
      const entry = this.buffer.shift();
      if (entry !== undefined) {
        this.current = entry;
        return { done: false, value: entry as unknown as E };
      }
      try {
        await this.flushAcks();
        if (!(await this.fill(config))) return this.end();
        this.lostInARow = 0;
      } catch (e) {
        // close() while reading: end quietly; unacked entries stay pending for the next run.
        if (e instanceof ConnectionError && isClosed(this.client)) return this.end();
        if (this.recoverable(e, config)) {
          // What the lost reply carried is pending with this consumer: walk its own list again.
          this.lostInARow++;
          this.startOwnPending(config);
          continue;
        }
        this.phase = 'done';
        throw e;
      }
    }
  }

  /** A group read or ack whose outcome is unknown, in a phase that the own-pending walk repairs. */
  private recoverable(e: unknown, config: Config): boolean {
    if (!(e instanceof ConnectionError) || this.stopped) return false;
    if (e.code !== ErrorCodes.CONNECTION_LOST && e.code !== ErrorCodes.COMMAND_TIMEOUT) return false;
    return (
      config.group !== undefined &&
      config.recoverPending &&
      this.phase !== 'setup' &&
      this.phase !== 'done' &&
      this.lostInARow < MAX_LOST_IN_A_ROW
    );
  }

  private async end(): Promise<IteratorResult<E, undefined>> {
    await this.finish();
    return { done: true, value: undefined };
  }

  private async finish(): Promise<void> {
    if (this.phase === 'done' && this.toAck.size === 0) return;
    this.phase = 'done';
    this.buffer.length = 0;
    // Best effort: an ack lost here only means a redelivery (at-least-once).
    if (!isClosed(this.client)) await this.flushAcks().catch(() => undefined);
  }

  /** Reads the next batch into the buffer. False when the iteration should end. */
  private async fill(config: Config): Promise<boolean> {
    if (config.group === undefined) return this.readPlain(config);
    const group = config.group;
    switch (this.phase) {
      case 'setup':
        await this.setupGroups(config, group);
        this.startOwnPending(config);
        return true;
      case 'own':
        await this.readOwnPending(config, group);
        return true;
      case 'claim':
        await this.claim(config, group);
        return true;
      case 'live':
        if (config.claimIdleMs !== undefined && performance.now() - this.lastClaim >= config.claimIdleMs) {
          this.startClaim(config);
          return true;
        }
        return this.readNew(config, group);
      default:
        return false;
    }
  }

  // --- XREAD -----------------------------------------------------------------------------------

  private async readPlain(config: Config): Promise<boolean> {
    if (this.phase === 'setup') {
      // '$' re-read each time would skip what arrives between reads: pin it to the last ID now.
      for (let i = 0; i < config.streams.length; i++) {
        if (config.ids[i] !== '$') continue;
        const last = (await this.client.call(
          'XREVRANGE',
          config.streams[i],
          '+',
          '-',
          'COUNT',
          1,
        )) as unknown[];
        config.ids[i] = last.length === 0 ? '0-0' : asText((last[0] as unknown[])[0]);
      }
      this.phase = 'live';
    }
    const args: unknown[] = ['COUNT', config.batch];
    if (config.block !== undefined) args.push('BLOCK', config.block);
    args.push('STREAMS', ...config.streams, ...config.ids);
    const reply = await this.client.call('XREAD', ...args);
    let got = 0;
    for (const [stream, entries] of streamsOf(reply)) {
      const index = config.streams.indexOf(stream);
      for (const raw of entries) {
        const entry = this.toEntry(stream, raw, undefined);
        if (entry === undefined) continue;
        this.buffer.push(entry);
        if (index >= 0) config.ids[index] = entry.id;
        got++;
      }
    }
    return got > 0 || !config.stopWhenIdle;
  }

  // --- XREADGROUP ------------------------------------------------------------------------------

  private async setupGroups(config: Config, group: string): Promise<void> {
    for (let i = 0; i < config.streams.length; i++) {
      const stream = config.streams[i] as string;
      if (config.autoCreate === false) {
        await this.checkGroup(stream, group);
        continue;
      }
      try {
        await this.client.call('XGROUP', 'CREATE', stream, group, config.ids[i], 'MKSTREAM');
      } catch (e) {
        if (!(e instanceof StreamDuplicateConsumerGroupError) || config.autoCreate === 'fresh') throw e;
      }
    }
  }

  private async checkGroup(stream: string, group: string): Promise<void> {
    let groups: unknown;
    try {
      groups = await this.client.call('XINFO', 'GROUPS', stream);
    } catch (e) {
      if (e instanceof NoKeyError) {
        throw new StreamConsumerInitializationError(
          `Stream '${stream}' does not exist (autoCreate is false)`,
          { cause: e },
        );
      }
      throw e;
    }
    const names = Array.isArray(groups) ? groups.map((g) => asText(toObject<unknown>(g).name)) : [];
    if (!names.includes(group)) {
      throw new StreamConsumerInitializationError(
        `Stream '${stream}' has no consumer group '${group}' (autoCreate is false)`,
      );
    }
  }

  private startOwnPending(config: Config): void {
    if (!config.recoverPending) {
      this.startClaim(config);
      return;
    }
    this.phase = 'own';
    this.cursors = new Map(config.streams.map((_, i) => [i, '0']));
  }

  /** One history read (id = last seen) per stream still walking its own pending list. */
  private async readOwnPending(config: Config, group: string): Promise<void> {
    const walking = [...this.cursors.keys()];
    const streams = walking.map((i) => config.streams[i] as string);
    const ids = walking.map((i) => this.cursors.get(i) as string);
    const reply = await this.client.call(
      'XREADGROUP',
      'GROUP',
      group,
      config.consumer,
      'COUNT',
      config.batch,
      'STREAMS',
      ...streams,
      ...ids,
    );
    const seen = new Set<number>();
    for (const [stream, entries] of streamsOf(reply)) {
      const index = config.streams.indexOf(stream);
      if (index < 0 || entries.length === 0) continue;
      seen.add(index);
      for (const raw of entries) {
        const id = asText((raw as unknown[])[0]);
        this.cursors.set(index, id);
        const entry = this.toEntry(stream, raw, group);
        // Deleted from the stream while pending: nothing to deliver; drop it from the PEL.
        if (entry === undefined) this.queueAck(stream, id);
        else this.buffer.push(entry);
      }
    }
    for (const i of walking) if (!seen.has(i)) this.cursors.delete(i);
    if (this.cursors.size === 0) this.startClaim(config);
  }

  private startClaim(config: Config): void {
    if (config.claimIdleMs === undefined) {
      this.phase = 'live';
      return;
    }
    this.phase = 'claim';
    this.cursors = new Map(config.streams.map((_, i) => [i, '0-0']));
  }

  /** One XAUTOCLAIM step on the first stream whose pending list is still being scanned. */
  private async claim(config: Config, group: string): Promise<void> {
    const next = this.cursors.entries().next();
    if (next.done === true) {
      this.lastClaim = performance.now();
      this.phase = 'live';
      return;
    }
    const [index, cursor] = next.value;
    const stream = config.streams[index] as string;
    const reply = (await this.client.call(
      'XAUTOCLAIM',
      stream,
      group,
      config.consumer,
      config.claimIdleMs,
      cursor,
      'COUNT',
      config.batch,
    )) as unknown[];
    const nextCursor = asText(reply[0]);
    for (const raw of (reply[1] ?? []) as unknown[]) {
      const entry = this.toEntry(stream, raw, group);
      if (entry !== undefined) this.buffer.push(entry);
    }
    // '0-0' ends the scan; a cursor that did not move would never end it either.
    if (nextCursor === '0-0' || nextCursor === cursor) this.cursors.delete(index);
    else this.cursors.set(index, nextCursor);
  }

  private async readNew(config: Config, group: string): Promise<boolean> {
    const args: unknown[] = ['GROUP', group, config.consumer, 'COUNT', config.batch];
    if (config.block !== undefined) args.push('BLOCK', config.block);
    args.push('STREAMS', ...config.streams);
    for (let i = 0; i < config.streams.length; i++) args.push('>');
    const reply = await this.client.call('XREADGROUP', ...args);
    let got = 0;
    for (const [stream, entries] of streamsOf(reply)) {
      for (const raw of entries) {
        const entry = this.toEntry(stream, raw, group);
        if (entry === undefined) continue;
        this.buffer.push(entry);
        got++;
      }
    }
    return got > 0 || !config.stopWhenIdle;
  }

  // --- entries and acks --------------------------------------------------------------------------

  /** `[id, [field, value, …]]` -> entry; undefined for an entry deleted while pending (fields nil). */
  private toEntry(
    stream: string,
    raw: unknown,
    group: string | undefined,
  ): ConsumerEntry<unknown> | undefined {
    const pair = raw as unknown[];
    const flat = pair[1];
    if (flat === null || flat === undefined) return undefined;
    const entry: ConsumerEntry<unknown> = { stream, id: asText(pair[0]), fields: toObject<unknown>(flat) };
    if (group === undefined) return entry;
    const grouped = entry as GroupConsumerEntry<unknown>;
    grouped.ack = async () => {
      if (this.acked.has(grouped)) return false;
      this.acked.add(grouped);
      try {
        return (await this.client.call('XACK', stream, group, grouped.id)) === 1;
      } catch (e) {
        // Not acked as far as anyone knows: a later ack() must send XACK again, not answer false.
        this.acked.delete(grouped);
        throw e;
      }
    };
    return grouped;
  }

  /** Auto mode: the entry is done; its XACK goes out with the next read. */
  private markDone(entry: ConsumerEntry<unknown>): void {
    if (this.config?.group === undefined || this.acked.has(entry)) return;
    this.acked.add(entry);
    this.queueAck(entry.stream, entry.id);
  }

  private queueAck(stream: string, id: string): void {
    const ids = this.toAck.get(stream);
    if (ids === undefined) this.toAck.set(stream, [id]);
    else ids.push(id);
  }

  private async flushAcks(): Promise<void> {
    const group = this.config?.group;
    if (group === undefined || this.toAck.size === 0) return;
    const batches = [...this.toAck];
    this.toAck.clear();
    const sent = await Promise.allSettled(
      batches.map(([stream, ids]) => this.client.call('XACK', stream, group, ...ids)),
    );
    let failure: PromiseRejectedResult | undefined;
    sent.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') return;
      failure ??= outcome;
      // Maybe not acked: sent again with the next flush (XACK of an acked ID is harmless).
      const [stream, ids] = batches[i] as [string, string[]];
      for (const id of ids) this.queueAck(stream, id);
    });
    if (failure !== undefined) throw failure.reason;
  }
}

/** `[[stream, entries], …]` (RESP2) or `{ stream: entries }` (RESP3); null when nothing came. */
function streamsOf(reply: unknown): Array<[string, unknown[]]> {
  if (reply === null || reply === undefined) return [];
  if (Array.isArray(reply))
    return reply.map((s) => [asText((s as unknown[])[0]), ((s as unknown[])[1] ?? []) as unknown[]]);
  return Object.entries(reply as Record<string, unknown>).map(([k, v]) => [k, (v ?? []) as unknown[]]);
}

// --- options -------------------------------------------------------------------------------------

function fail(message: string): never {
  throw new StreamConsumerInitializationError(`Invalid stream consumer options: ${message}`);
}

function checkInt(name: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
    fail(`'${name}' must be an integer >= ${min}`);
  return value;
}

const GROUP_ONLY = ['consumer', 'autoCreate', 'ack', 'claimIdleMs', 'recoverPending'] as const;

function validate(options: StreamConsumerOptions): Config {
  if (options === null || typeof options !== 'object') fail('expected an options object');
  const o = options as Partial<StreamGroupConsumerOptions>;
  const startId = o.startId ?? '$';
  if (typeof startId !== 'string' || startId === '') fail("'startId' must be a stream ID");
  let streams: string[];
  let ids: string[];
  const s = o.streams;
  if (typeof s === 'string') {
    streams = [s];
    ids = [startId];
  } else if (Array.isArray(s)) {
    streams = [...(s as unknown[])].map((n) =>
      typeof n === 'string' ? n : fail("'streams' must hold stream names"),
    );
    ids = streams.map(() => startId);
  } else if (s !== null && typeof s === 'object') {
    const pairs = Object.entries(s as Record<string, unknown>);
    streams = pairs.map(([n]) => n);
    ids = pairs.map(([, id]) =>
      typeof id === 'string' && id !== '' ? id : fail(`'streams' has no valid start ID for a stream`),
    );
  } else {
    return fail("'streams' is required");
  }
  if (streams.length === 0) fail("'streams' is empty");
  if (new Set(streams).size !== streams.length) fail("'streams' names a stream twice");
  const batch = checkInt('batch', o.batch, 1) ?? DEFAULT_BATCH;
  const block = checkInt('block', o.block, 0) ?? (o.stopWhenIdle === true ? undefined : DEFAULT_BLOCK);
  if (o.stopWhenIdle !== undefined && typeof o.stopWhenIdle !== 'boolean')
    fail("'stopWhenIdle' must be a boolean");
  const group = o.group;
  if (group === undefined) {
    for (const k of GROUP_ONLY) if (o[k] !== undefined) fail(`'${k}' needs 'group'`);
  } else {
    if (typeof group !== 'string' || group === '') fail("'group' must be a non-empty string");
    if (typeof o.consumer !== 'string' || o.consumer === '') fail("'group' needs a 'consumer' name");
    if (o.autoCreate !== undefined && typeof o.autoCreate !== 'boolean' && o.autoCreate !== 'fresh')
      fail("'autoCreate' must be true, false or 'fresh'");
    if (o.ack !== undefined && o.ack !== 'auto' && o.ack !== 'manual')
      fail("'ack' must be 'auto' or 'manual'");
    if (o.recoverPending !== undefined && typeof o.recoverPending !== 'boolean')
      fail("'recoverPending' must be a boolean");
  }
  return {
    streams,
    ids,
    group,
    consumer: o.consumer ?? '',
    autoCreate: o.autoCreate ?? true,
    manualAck: o.ack === 'manual',
    claimIdleMs: checkInt('claimIdleMs', o.claimIdleMs, 0),
    recoverPending: o.recoverPending ?? true,
    batch,
    block,
    stopWhenIdle: o.stopWhenIdle === true,
  };
}

/** A consumer group member (XREADGROUP) or a plain reader (XREAD) over `client`; see the module notes. */
export function streamConsumer<V = string>(
  client: ClientLike,
  options: StreamGroupConsumerOptions,
): StreamConsumer<GroupConsumerEntry<V>>;
export function streamConsumer<V = string>(
  client: ClientLike,
  options: StreamReaderOptions,
): StreamConsumer<ConsumerEntry<V>>;
export function streamConsumer(
  client: ClientLike,
  options: StreamConsumerOptions,
): StreamConsumer<ConsumerEntry<unknown>>;
export function streamConsumer(
  client: ClientLike,
  options: StreamConsumerOptions,
): StreamConsumer<ConsumerEntry<unknown>> {
  return new StreamConsumer(client, options);
}
