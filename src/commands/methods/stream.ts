/**
 * Stream commands. Entries are `{ id, fields }` everywhere; XREAD/XREADGROUP
 * give `[{ stream, entries }]` in request order under RESP2 (nested arrays) and
 * RESP3 (a map) alike. IDs, stream, group and consumer names are strings; field
 * values follow the client's string type (bytes under `withBuffers()`).
 */
import { CommandSyntaxError, DataError, ErrorCodes, undecodableReply } from '../../errors/index.js';
import { SAME_TEXT_NAMES } from '../../core/decoded-names.js';
import { equalBytes } from '../../core/bytes.js';
import { isRecord, restArgs, type Variadic } from './args.js';
import {
  asArray,
  camel,
  exactInteger,
  newRecord,
  sealRecord,
  toEntryFields,
  toInteger,
  toObject,
  toText,
  toTextArray,
  toTextOrNull,
} from './transforms.js';
import type { RedisKey, RedisValue } from './types.js';
import {
  command,
  argName,
  idempotentAll,
  isArg,
  optionNames,
  type RuleSet,
  type Signatures,
} from '../declare.js';

/** A stream entry. Field names are strings; values follow the client's string type. */
export interface StreamEntry<S> {
  /** Entry ID (`<ms>-<seq>`). */
  id: string;
  /**
   * Field names and values, in the order they were added, except that a JavaScript object lists
   * integer-like names (`'1'`, `'20'`) first, in ascending order.
   */
  fields: Record<string, S>;
}

/** An entry read from a group's history: `fields` is null when the entry was deleted since delivery. */
export interface GroupStreamEntry<S> {
  /** Entry ID (`<ms>-<seq>`). */
  id: string;
  /** Field names and values, or null when the entry no longer exists. */
  fields: Record<string, S> | null;
}

/** One stream's part of an XREAD / XREADGROUP reply. */
export interface StreamRead<E> {
  /** Name of the stream. */
  stream: string;
  /** The entries read, oldest first. */
  entries: E[];
}

/** Where to read a stream from: `$` (new entries, XREAD), `>` (never delivered, XREADGROUP), or an ID. */
export interface StreamOffset {
  /** The stream key. */
  key: RedisKey;
  /** Read entries after this ID (`$`: only new ones; `>`: never delivered to the group). */
  id: string;
}

/** Trimming of XADD / XTRIM: `maxlen` or `minid`. */
export type StreamTrim = (
  | {
      /** MAXLEN: keep at most this many entries. */
      maxlen?: number;
      /** Not with `maxlen`. */
      minid?: undefined;
    }
  | {
      /** Not with `minid`. */
      maxlen?: undefined;
      /** MINID: drop entries with IDs lower than this. */
      minid?: string;
    }
) & {
  /** `~`: trim only whole macro nodes (faster, may keep a few more). */
  approx?: boolean;
  /** With `approx`: at most this many entries evicted per call. */
  limit?: number;
};

/** Options of XADD: trimming (`maxlen` or `minid`, not both) and NOMKSTREAM. */
export type XAddOptions = StreamTrim & {
  /** Do not create the stream (the reply is then null). */
  nomkstream?: boolean;
};

/** Options of XREAD. */
export interface XReadOptions {
  /** COUNT: at most this many entries per stream. */
  count?: number;
  /** Wait up to this many milliseconds (0 = forever); runs on a dedicated connection. */
  block?: number;
}

/** Options of XREADGROUP. */
export interface XReadGroupOptions extends XReadOptions {
  /** Do not add the entries to the pending list. */
  noack?: boolean;
}

/** Options of XGROUP CREATE. */
export interface XGroupCreateOptions {
  /** Create the stream when it does not exist. */
  mkstream?: boolean;
  /** Redis 7.0+: ENTRIESREAD, for lag tracking. */
  entriesRead?: number;
}

/** The summary form of XPENDING. */
export interface XPendingSummary {
  /** Number of pending entries of the group. */
  count: number;
  /** Smallest pending ID, null when none is pending. */
  minId: string | null;
  /** Greatest pending ID, null when none is pending. */
  maxId: string | null;
  /** Consumers with pending entries and how many each has. */
  consumers: Array<{
    /** Consumer name. */
    name: string;
    /** Its pending entries. */
    pending: number;
  }>;
}

/** One entry of the extended form of XPENDING. */
export interface XPendingEntry {
  /** Entry ID. */
  id: string;
  /** Consumer the entry was delivered to. */
  consumer: string;
  /** Milliseconds since the last delivery. */
  idle: number;
  /** Times the entry was delivered. */
  deliveries: number;
}

/** Options of the extended form of XPENDING. */
export interface XPendingOptions {
  /** Only entries idle at least this many milliseconds (Redis 6.2+). */
  idle?: number;
  /** Only entries pending for this consumer. */
  consumer?: string;
}

/** Options of XCLAIM. */
export interface XClaimOptions {
  /** IDLE: set the idle time of the claimed entries (ms). */
  idle?: number;
  /** TIME: set the idle time as a Unix time in ms. */
  time?: number;
  /** RETRYCOUNT: set the delivery counter. */
  retrycount?: number;
  /** FORCE: create pending entries for IDs not pending yet. */
  force?: boolean;
  /** LASTID: update the group's last delivered ID. */
  lastid?: string;
}

/** The reply of XAUTOCLAIM. */
export interface XAutoClaimResult<E> {
  /** Cursor for the next call; `'0-0'` when the scan is complete. */
  next: string;
  /** The claimed entries (or IDs with `JUSTID`). */
  entries: E[];
  /** IDs that were pending but no longer exist (Redis 7.0+; empty before). */
  deleted: string[];
}

/** The reply of XINFO STREAM. */
export interface XInfoStream<S> {
  /** Number of entries. */
  length: number;
  /** Keys of the underlying radix tree. */
  radixTreeKeys: number;
  /** Nodes of the underlying radix tree. */
  radixTreeNodes: number;
  /** The last ID the stream generated. */
  lastGeneratedId: string;
  /** Redis 7.0+. */
  maxDeletedEntryId?: string;
  /** Redis 7.0+. */
  entriesAdded?: number;
  /** Redis 7.0+. */
  recordedFirstEntryId?: string;
  /** Number of consumer groups. */
  groups: number;
  /** The first entry, null when the stream is empty. */
  firstEntry: StreamEntry<S> | null;
  /** The last entry, null when the stream is empty. */
  lastEntry: StreamEntry<S> | null;
}

/** One consumer group, as XINFO GROUPS reports it. */
export interface XInfoGroup {
  /** Group name. */
  name: string;
  /** Number of consumers. */
  consumers: number;
  /** Entries delivered but not acknowledged. */
  pending: number;
  /** ID of the last entry delivered to the group. */
  lastDeliveredId: string;
  /** Redis 7.0+ (null when unknown). */
  entriesRead?: number | null;
  /** Redis 7.0+ (null when it cannot be computed). */
  lag?: number | null;
}

/** One consumer, as XINFO CONSUMERS reports it. */
export interface XInfoConsumer {
  /** Consumer name. */
  name: string;
  /** Entries delivered to it and not acknowledged. */
  pending: number;
  /** Milliseconds since the consumer's last attempted interaction. */
  idle: number;
  /** Redis 7.2+: milliseconds since its last successful interaction (-1 never). */
  inactive?: number;
}

// --- reply shapers ---------------------------------------------------------------

function toFields<S>(v: unknown): Record<string, S> | null {
  return v === null ? null : toEntryFields<S>(v);
}

/** An entry of a group's history: its fields are null when it was deleted since delivery. */
function toGroupEntry<S>(v: unknown): GroupStreamEntry<S> {
  const a = asArray(v);
  return { id: toText(a[0]), fields: toFields<S>(a[1]) };
}

/** An entry read by ID range or as new: it exists, so its fields are there. */
function toEntry<S>(v: unknown): StreamEntry<S> {
  return toGroupEntry<S>(v) as StreamEntry<S>;
}

function toEntryOrNull<S>(v: unknown): StreamEntry<S> | null {
  return v === null ? null : toEntry<S>(v);
}

function toEntries<S>(v: unknown): Array<StreamEntry<S>> {
  return v === null ? [] : asArray(v).map(toEntry<S>);
}

const DUPLICATE_STREAM =
  'a stream was asked twice and the RESP3 reply (a map) holds it once, so the entries of one of its offsets may be lost; ask each stream once, or use protocol 2';

/**
 * The stream names of a call's offsets, in request order. Runs before the call is sent, outside the
 * argument builder's error handling: a key of the wrong type is skipped here (never thrown) and
 * left for the argument check to refuse.
 */
function requestedStreams(streams: StreamOffset | readonly StreamOffset[]): string[] {
  const list: readonly StreamOffset[] = Array.isArray(streams) ? streams : [streams as StreamOffset];
  const names: string[] = [];
  for (const s of list) {
    const key: unknown = s.key;
    if (typeof key === 'string' || typeof key === 'number' || key instanceof Uint8Array)
      names.push(toText(key));
  }
  return names;
}

/**
 * XREAD / XREADGROUP: RESP2 `[[name, entries], …]`, RESP3 `{ name: entries }`; entries shaped by
 * `entry`. A RESP3 map arrives as an object, which lists integer-like names (`'20'`, `'3'`) first and
 * ascending whatever order the server sent them in, so its streams are put in `requested` order.
 */
function toStreamReads<E>(
  entry: (v: unknown) => E,
  requested: readonly string[],
): (v: unknown) => Array<StreamRead<E>> | null {
  const entries = (v: unknown): E[] => (v === null ? [] : asArray(v).map(entry));
  return (v) => {
    if (v === null) return null;
    if (Array.isArray(v)) {
      // Two names that are not UTF-8 can decode to one text: RESP3 fails such a reply (its map cannot
      // hold both), and RESP2 must not hand back streams the caller cannot tell apart instead. The
      // same bytes twice is one stream asked twice, which RESP2 answers in full.
      const seen = new Map<string, unknown>();
      return v.map((s) => {
        const pair = asArray(s);
        const stream = toText(pair[0]);
        const prior = seen.get(stream);
        if (prior !== undefined && !sameBytes(prior, pair[0]))
          throw undecodableReply(new Error(SAME_TEXT_NAMES));
        seen.set(stream, pair[0]);
        return { stream, entries: entries(pair[1]) };
      });
    }
    const o = toObject<unknown>(v);
    const names = new Set<string>();
    for (const name of requested) {
      if (!Object.hasOwn(o, name)) continue;
      // A stream asked twice (two offsets) is one map key: the object kept only the later part,
      // and the entries of the other are lost; fail loudly rather than return them silently short.
      if (names.has(name)) throw new DataError(DUPLICATE_STREAM, { code: ErrorCodes.UNEXPECTED_REPLY });
      names.add(name);
    }
    for (const name of Object.keys(o)) names.add(name);
    return [...names].map((stream) => ({ stream, entries: entries(o[stream]) }));
  };
}

function sameBytes(a: unknown, b: unknown): boolean {
  return a instanceof Uint8Array && b instanceof Uint8Array ? equalBytes(a, b) : a === b;
}

function toPendingSummary(v: unknown): XPendingSummary {
  const a = asArray(v);
  const consumers =
    a[3] === null || a[3] === undefined
      ? []
      : asArray(a[3]).map((c) => {
          const p = asArray(c);
          return { name: toText(p[0]), pending: toInteger(p[1]) };
        });
  return { count: toInteger(a[0]), minId: toTextOrNull(a[1]), maxId: toTextOrNull(a[2]), consumers };
}

function toPendingEntries(v: unknown): XPendingEntry[] {
  return asArray(v).map((e) => {
    const a = asArray(e);
    // Integers: a delivery counter set by XCLAIM RETRYCOUNT may pass 2^53 (kept as its exact text).
    return { id: toText(a[0]), consumer: toText(a[1]), idle: toInteger(a[2]), deliveries: toInteger(a[3]) };
  });
}

function toAutoClaim<E>(entry: (v: unknown) => E): (v: unknown) => XAutoClaimResult<E> {
  return (v) => {
    const a = asArray(v);
    return {
      next: toText(a[0]),
      // Redis 6.2 puts a null where a pending entry was deleted since delivery (7.0 lists its ID
      // under `deleted`); as in XCLAIM, it is left out rather than failing the claim that happened.
      entries: asArray(a[1])
        .filter((e) => e !== null)
        .map(entry),
      deleted: a[2] === undefined ? [] : toTextArray(a[2]),
    };
  };
}

const ID_KEYS = new Set([
  'lastGeneratedId',
  'maxDeletedEntryId',
  'recordedFirstEntryId',
  'lastDeliveredId',
  'name',
]);

/** A map (RESP3) or flat array (RESP2) with camelCased keys; ids and names as strings, counts as numbers. */
function toInfo(v: unknown): Record<string, unknown> {
  const o = toObject<unknown>(v);
  const out = newRecord<unknown>();
  for (const k of Object.keys(o)) {
    const key = camel(k);
    const value = o[k];
    if (key === 'firstEntry' || key === 'lastEntry') out[key] = toEntryOrNull(value);
    else if (ID_KEYS.has(key)) out[key] = toText(value);
    else if (value === null || typeof value === 'number') out[key] = value;
    else if (typeof value === 'string' || value instanceof Uint8Array) out[key] = toNumberOrText(value);
    else out[key] = value;
  }
  return sealRecord(out);
}

function toNumberOrText(v: string | Uint8Array): number | string {
  const s = toText(v);
  // An integer beyond 2^53 (entries-added and lag after XSETID … ENTRIESADDED) arrives as its exact
  // decimal string; Number() would round it to a different count, so it stays that string.
  const exact = exactInteger(s);
  if (exact !== undefined) return exact;
  const n = Number(s);
  return s.length > 0 && !Number.isNaN(n) ? n : s;
}

const toInfoList = (v: unknown): Array<Record<string, unknown>> => asArray(v).map(toInfo);

// --- argument builders --------------------------------------------------------------

function trimArgs(args: unknown[], t: StreamTrim, method: string): unknown[] {
  if (t.maxlen !== undefined && t.minid !== undefined) {
    throw new CommandSyntaxError(`${method}() takes only one of maxlen, minid`, {
      command: method.toUpperCase(),
      arguments: ['maxlen', 'minid'],
    });
  }
  if (t.maxlen === undefined && t.minid === undefined) return args;
  args.push(t.maxlen !== undefined ? 'MAXLEN' : 'MINID');
  if (t.approx) args.push('~');
  args.push(t.maxlen !== undefined ? t.maxlen : t.minid);
  if (t.limit !== undefined) args.push('LIMIT', t.limit);
  return args;
}

function streamArgs(args: unknown[], streams: StreamOffset | readonly StreamOffset[]): unknown[] {
  const list: readonly StreamOffset[] = Array.isArray(streams) ? streams : [streams as StreamOffset];
  args.push('STREAMS');
  for (const s of list) args.push(s.key);
  for (const s of list) args.push(s.id);
  return args;
}

function claimArgs(
  head: unknown[],
  ids: readonly string[],
  o: XClaimOptions | undefined,
  justId: boolean,
): unknown[] {
  const args = [...head, ...ids];
  if (o?.idle !== undefined) args.push('IDLE', o.idle);
  if (o?.time !== undefined) args.push('TIME', o.time);
  if (o?.retrycount !== undefined) args.push('RETRYCOUNT', o.retrycount);
  if (o?.force) args.push('FORCE');
  if (justId) args.push('JUSTID');
  if (o?.lastid !== undefined) args.push('LASTID', o.lastid);
  return args;
}

/** One list for xclaim and xclaimJustId (see Declaration.options). */
const XCLAIM_OPTIONS = optionNames<XClaimOptions>()(['idle', 'time', 'retrycount', 'force', 'lastid']);

/**
 * The stream command declarations; `S` is the string type of replies (string, or bytes under withBuffers()).
 * Each method's signature and TSDoc are written here once; {@link StreamCommands} maps them.
 */
function declarations<S>() {
  return {
    /**
     * XADD key [NOMKSTREAM] [MAXLEN|MINID [~] n [LIMIT c]] id field value …: the new entry's ID
     * (`id` `'*'` lets the server choose), or null with `nomkstream` when the stream does not exist.
     */
    xadd: command<
      (
        key: RedisKey,
        id: string,
        fields: Record<string, RedisValue> | readonly RedisValue[],
        options?: XAddOptions,
      ) => string | null
    >({
      command: 'xadd',
      params: ['key', 'id', 'fields', '{options}?'],
      options: optionNames<XAddOptions>()(['maxlen', 'minid', 'approx', 'limit', 'nomkstream']),
      args: ([key, id, fields, options]) => {
        const args: unknown[] = [key];
        if (options?.nomkstream) args.push('NOMKSTREAM');
        if (options !== undefined) trimArgs(args, options, 'xadd');
        args.push(id);
        if (isRecord(fields)) for (const f of Object.keys(fields)) args.push(f, fields[f]);
        else for (const v of fields) args.push(v);
        return args;
      },
      reply: toTextOrNull,
    }),
    xlen: command<(key: RedisKey) => number>({
      command: 'xlen',
      params: ['key'],
      args: ([key]) => [key],
    }),
    /** XRANGE key start end [COUNT n]; `'-'`/`'+'` are the ends, `'(id'` excludes. */
    xrange: command<(key: RedisKey, start: string, end: string, count?: number) => Array<StreamEntry<S>>>({
      command: 'xrange',
      params: ['key', 'start', 'end', 'count?'],
      args: ([key, start, end, count]) =>
        count === undefined ? [key, start, end] : [key, start, end, 'COUNT', count],
      reply: toEntries<S>,
    }),
    /** XREVRANGE key end start [COUNT n]. */
    xrevrange: command<(key: RedisKey, end: string, start: string, count?: number) => Array<StreamEntry<S>>>({
      command: 'xrevrange',
      params: ['key', 'end', 'start', 'count?'],
      args: ([key, end, start, count]) =>
        count === undefined ? [key, end, start] : [key, end, start, 'COUNT', count],
      reply: toEntries<S>,
    }),
    xdel: command<(key: RedisKey, ...ids: Variadic<string>) => number>({
      command: 'xdel',
      params: ['key', '...ids'],
      args: (a) => restArgs([a[0]], a, 1),
    }),
    /** XTRIM: the number of entries deleted. */
    xtrim: command<(key: RedisKey, trim: StreamTrim) => number>({
      command: 'xtrim',
      params: ['key', '{trim}'],
      options: optionNames<StreamTrim>()(['maxlen', 'minid', 'approx', 'limit']),
      args: ([key, trim]) => trimArgs([key], trim, 'xtrim'),
    }),
    /** XREAD: entries after each offset, or null when none arrived (within `block`). */
    xread: command<
      (
        streams: StreamOffset | readonly StreamOffset[],
        options?: XReadOptions,
      ) => Array<StreamRead<StreamEntry<S>>> | null
    >({
      command: 'xread',
      params: ['streams', '{options}?'],
      options: optionNames<XReadOptions>()(['count', 'block']),
      args: ([streams, options]) => {
        const args: unknown[] = [];
        if (options?.count !== undefined) args.push('COUNT', options.count);
        if (options?.block !== undefined) args.push('BLOCK', options.block);
        return streamArgs(args, streams);
      },
      replyFor: ([streams]) => toStreamReads(toEntry<S>, requestedStreams(streams)),
    }),
    /** XREADGROUP GROUP group consumer …: as `xread`; history entries deleted since delivery have null fields. */
    xreadgroup: command<
      (
        group: string,
        consumer: string,
        streams: StreamOffset | readonly StreamOffset[],
        options?: XReadGroupOptions,
      ) => Array<StreamRead<GroupStreamEntry<S>>> | null
    >({
      command: 'xreadgroup',
      params: ['group', 'consumer', 'streams', '{options}?'],
      options: optionNames<XReadGroupOptions>()(['count', 'block', 'noack']),
      args: ([group, consumer, streams, options]) => {
        const args: unknown[] = ['GROUP', group, consumer];
        if (options?.count !== undefined) args.push('COUNT', options.count);
        if (options?.block !== undefined) args.push('BLOCK', options.block);
        if (options?.noack) args.push('NOACK');
        return streamArgs(args, streams);
      },
      replyFor: ([, , streams]) => toStreamReads(toGroupEntry<S>, requestedStreams(streams)),
    }),
    xack: command<(key: RedisKey, group: string, ...ids: Variadic<string>) => number>({
      command: 'xack',
      params: ['key', 'group', '...ids'],
      args: (a) => restArgs([a[0], a[1]], a, 2),
    }),
    xgroupCreate: command<(key: RedisKey, group: string, id: string, options?: XGroupCreateOptions) => 'OK'>({
      command: 'xgroup',
      params: ['key', 'group', 'id', '{options}?'],
      options: optionNames<XGroupCreateOptions>()(['mkstream', 'entriesRead']),
      args: ([key, group, id, options]) => {
        const args: unknown[] = ['CREATE', key, group, id];
        if (options?.mkstream) args.push('MKSTREAM');
        if (options?.entriesRead !== undefined) args.push('ENTRIESREAD', options.entriesRead);
        return args;
      },
    }),
    /** XGROUP DESTROY: true when the group existed. */
    xgroupDestroy: command<(key: RedisKey, group: string) => boolean>({
      command: 'xgroup',
      params: ['key', 'group'],
      args: ([key, group]) => ['DESTROY', key, group],
      reply: (v) => v === 1 || v === true,
    }),
    /** XGROUP CREATECONSUMER: true when created. */
    xgroupCreateconsumer: command<(key: RedisKey, group: string, consumer: string) => boolean>({
      command: 'xgroup',
      params: ['key', 'group', 'consumer'],
      args: ([key, group, consumer]) => ['CREATECONSUMER', key, group, consumer],
      reply: (v) => v === 1 || v === true,
    }),
    /** XGROUP DELCONSUMER: the number of pending entries the consumer had. */
    xgroupDelconsumer: command<(key: RedisKey, group: string, consumer: string) => number>({
      command: 'xgroup',
      params: ['key', 'group', 'consumer'],
      args: ([key, group, consumer]) => ['DELCONSUMER', key, group, consumer],
    }),
    xgroupSetid: command<
      (key: RedisKey, group: string, id: string, options?: { entriesRead?: number }) => 'OK'
    >({
      command: 'xgroup',
      params: ['key', 'group', 'id', '{options}?'],
      options: optionNames<{ entriesRead?: number }>()(['entriesRead']),
      args: ([key, group, id, options]) => {
        const args: unknown[] = ['SETID', key, group, id];
        if (options?.entriesRead !== undefined) args.push('ENTRIESREAD', options.entriesRead);
        return args;
      },
    }),
    /** XPENDING key group: the summary. */
    xpending: command<(key: RedisKey, group: string) => XPendingSummary>({
      command: 'xpending',
      params: ['key', 'group'],
      args: ([key, group]) => [key, group],
      reply: toPendingSummary,
    }),
    /** XPENDING key group [IDLE ms] start end count [consumer]: the pending entries. */
    xpendingRange: command<
      (
        key: RedisKey,
        group: string,
        start: string,
        end: string,
        count: number,
        options?: XPendingOptions,
      ) => XPendingEntry[]
    >({
      command: 'xpending',
      params: ['key', 'group', 'start', 'end', 'count', '{options}?'],
      options: optionNames<XPendingOptions>()(['idle', 'consumer']),
      args: ([key, group, start, end, count, options]) => {
        const args: unknown[] = [key, group];
        if (options?.idle !== undefined) args.push('IDLE', options.idle);
        args.push(start, end, count);
        if (options?.consumer !== undefined) args.push(options.consumer);
        return args;
      },
      reply: toPendingEntries,
    }),
    /** XCLAIM: the claimed entries. */
    xclaim: command<
      (
        key: RedisKey,
        group: string,
        consumer: string,
        minIdleTime: number,
        ids: readonly string[],
        options?: XClaimOptions,
      ) => Array<StreamEntry<S>>
    >({
      command: 'xclaim',
      params: ['key', 'group', 'consumer', 'minIdleTime', 'ids', '{options}?'],
      options: XCLAIM_OPTIONS,
      args: ([key, group, consumer, minIdleTime, ids, options]) =>
        claimArgs([key, group, consumer, minIdleTime], ids, options, false),
      reply: (v) =>
        asArray(v)
          .filter((e) => e !== null)
          .map(toEntry<S>),
    }),
    /** XCLAIM … JUSTID: the claimed IDs. */
    xclaimJustId: command<
      (
        key: RedisKey,
        group: string,
        consumer: string,
        minIdleTime: number,
        ids: readonly string[],
        options?: XClaimOptions,
      ) => string[]
    >({
      command: 'xclaim',
      params: ['key', 'group', 'consumer', 'minIdleTime', 'ids', '{options}?'],
      options: XCLAIM_OPTIONS,
      args: ([key, group, consumer, minIdleTime, ids, options]) =>
        claimArgs([key, group, consumer, minIdleTime], ids, options, true),
      reply: toTextArray,
    }),
    /** XAUTOCLAIM key group consumer min-idle start [COUNT n]. */
    xautoclaim: command<
      (
        key: RedisKey,
        group: string,
        consumer: string,
        minIdleTime: number,
        start: string,
        count?: number,
      ) => XAutoClaimResult<StreamEntry<S>>
    >({
      command: 'xautoclaim',
      params: ['key', 'group', 'consumer', 'minIdleTime', 'start', 'count?'],
      args: ([key, group, consumer, minIdleTime, start, count]) => {
        const args: unknown[] = [key, group, consumer, minIdleTime, start];
        if (count !== undefined) args.push('COUNT', count);
        return args;
      },
      reply: toAutoClaim(toEntry<S>),
    }),
    xautoclaimJustId: command<
      (
        key: RedisKey,
        group: string,
        consumer: string,
        minIdleTime: number,
        start: string,
        count?: number,
      ) => XAutoClaimResult<string>
    >({
      command: 'xautoclaim',
      params: ['key', 'group', 'consumer', 'minIdleTime', 'start', 'count?'],
      args: ([key, group, consumer, minIdleTime, start, count]) => {
        const args: unknown[] = [key, group, consumer, minIdleTime, start];
        if (count !== undefined) args.push('COUNT', count);
        args.push('JUSTID');
        return args;
      },
      reply: toAutoClaim(toText),
    }),
    xinfoStream: command<(key: RedisKey) => XInfoStream<S>>({
      command: 'xinfo',
      params: ['key'],
      args: ([key]) => ['STREAM', key],
      // The server's field names, camelCased: trusted to match the declared shape.
      reply: (v) => toInfo(v) as unknown as XInfoStream<S>,
    }),
    xinfoGroups: command<(key: RedisKey) => XInfoGroup[]>({
      command: 'xinfo',
      params: ['key'],
      args: ([key]) => ['GROUPS', key],
      reply: (v) => toInfoList(v) as unknown as XInfoGroup[],
    }),
    xinfoConsumers: command<(key: RedisKey, group: string) => XInfoConsumer[]>({
      command: 'xinfo',
      params: ['key', 'group'],
      args: ([key, group]) => ['CONSUMERS', key, group],
      reply: (v) => toInfoList(v) as unknown as XInfoConsumer[],
    }),
  };
}

export const streamCommands = declarations();

/** The stream command signatures, with plain reply types; clients wrap them in promises. */
export type StreamCommands<S> = Signatures<ReturnType<typeof declarations<S>>>;

/** Is there a BLOCK option among args[from..] before STREAMS? */
function hasBlockOption(args: readonly unknown[], from: number): boolean {
  for (let i = from; i < args.length; i++) {
    if (isArg(args[i], 'STREAMS')) return false;
    if (isArg(args[i], 'BLOCK')) return true;
  }
  return false;
}

/** XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] <* | id> field value …: an explicit ID? */
function xaddExplicitId(args: readonly unknown[]): boolean {
  let i = 1;
  while (i < args.length) {
    const a = args[i];
    if (isArg(a, 'NOMKSTREAM')) i += 1;
    else if (isArg(a, 'MAXLEN') || isArg(a, 'MINID')) {
      i += 1;
      if (isArg(args[i], '=') || isArg(args[i], '~')) i += 1;
      i += 1;
    } else if (isArg(a, 'LIMIT')) i += 2;
    else break;
  }
  const id = argName(args[i]) ?? (typeof args[i] === 'number' ? String(args[i]) : undefined);
  return id !== undefined && id !== '*' && !id.endsWith('-*');
}

/**
 * XREAD blocks only with BLOCK; XREADGROUP GROUP group consumer [COUNT n]
 * [BLOCK ms] …: the group and consumer names (which may be spelled "block")
 * are skipped. XADD with an explicit ID repeats harmlessly (the repeat fails
 * as "ID too small", the stream is right); with `*` it appends again.
 */
export const streamRules: RuleSet = {
  ...idempotentAll([
    'xack',
    'xdel',
    'xtrim',
    'xackdel',
    'xdelex',
    'xsetid',
    'xgroup|destroy',
    'xgroup|setid',
    'xgroup|createconsumer',
    'xgroup|delconsumer',
    'xgroup|help',
    'xinfo|help',
  ]),
  xadd: { idempotent: xaddExplicitId },
  xread: { blocking: (a) => hasBlockOption(a, 0) },
  xreadgroup: { blocking: (a) => hasBlockOption(a, 3) },
};
