/** Geospatial commands. Coordinates and distances are numbers under RESP2 (strings) and RESP3 (doubles). */
import { restArgs, type Variadic } from './args.js';
import { CommandSyntaxError } from '../../errors/index.js';
import { asArray, toNumber, toNumberOrNull, toTextOrNullArray } from './transforms.js';
import type { RedisKey, RedisValue } from './types.js';
import { idempotentAll, type Declarations, type RuleSet } from '../declare.js';

/** Distance unit: metres, kilometres, miles or feet. */
export type GeoUnit = 'm' | 'km' | 'mi' | 'ft';

/** A position on the map. */
export interface GeoPosition {
  /** Longitude in degrees (-180..180). */
  longitude: number;
  /** Latitude in degrees (about -85.05..85.05). */
  latitude: number;
}

/** A member to add at a position. */
export interface GeoMember extends GeoPosition {
  /** The member name. */
  member: RedisValue;
}

/** Options of GEOADD. */
export interface GeoAddOptions {
  /** Only add new members. */
  nx?: boolean;
  /** Only update existing members. */
  xx?: boolean;
  /** Count changed members, not only added ones. */
  ch?: boolean;
}

/** The search centre: an existing member or a position. */
export type GeoFrom =
  | {
      /** FROMMEMBER: centre on this member. */
      member: RedisValue;
    }
  | GeoPosition;

/** The search area: a circle or a box around the centre. */
export type GeoBy =
  | {
      /** BYRADIUS: radius of the circle. */
      radius: number;
      /** Unit of the radius. */
      unit: GeoUnit;
    }
  | {
      /** BYBOX: width of the box. */
      width: number;
      /** BYBOX: height of the box. */
      height: number;
      /** Unit of width and height. */
      unit: GeoUnit;
    };

/** Options of GEOSEARCH. */
export interface GeoSearchOptions {
  /** Order by distance from the centre. */
  sort?: 'ASC' | 'DESC';
  /** COUNT: at most this many results. */
  count?: number;
  /** With `count`: stop at the first `count` matches found, not the nearest. */
  any?: boolean;
}

/** Options of GEOSEARCH with WITHCOORD / WITHDIST / WITHHASH. */
export interface GeoSearchWithOptions extends GeoSearchOptions {
  /** Return each member's position. */
  withCoord?: boolean;
  /** Return each member's distance from the centre, in the search unit. */
  withDist?: boolean;
  /** Return each member's raw geohash. */
  withHash?: boolean;
}

/** Options of GEOSEARCHSTORE. */
export interface GeoSearchStoreOptions extends GeoSearchOptions {
  /** Store distances as scores instead of geohashes. */
  storedist?: boolean;
}

/** A GEOSEARCH match with what was asked for. */
export interface GeoSearchResult<S> {
  /** The member name. */
  member: S;
  /** In the unit of the search (`withDist`). */
  distance?: number;
  /** The 52-bit geohash score (`withHash`). */
  hash?: number;
  /** `withCoord`. */
  coordinates?: GeoPosition;
}

export interface GeoCommands<S> {
  /** GEOADD: the number of members added (changed with `ch`). */
  geoadd(key: RedisKey, members: GeoMember | readonly GeoMember[], options?: GeoAddOptions): number;
  /** GEOPOS: a position per member, null for missing ones. */
  geopos(key: RedisKey, ...members: Variadic<RedisValue>): Array<GeoPosition | null>;
  /** GEODIST: the distance, or null when a member is missing. */
  geodist(key: RedisKey, member1: RedisValue, member2: RedisValue, unit?: GeoUnit): number | null;
  /** GEOHASH: the 11-character geohash per member, null for missing ones. */
  geohash(key: RedisKey, ...members: Variadic<RedisValue>): Array<string | null>;
  /** GEOSEARCH: the members in the area. */
  geosearch(key: RedisKey, from: GeoFrom, by: GeoBy, options?: GeoSearchOptions): S[];
  /** GEOSEARCH with WITHCOORD / WITHDIST / WITHHASH. */
  geosearchWith(
    key: RedisKey,
    from: GeoFrom,
    by: GeoBy,
    options: GeoSearchWithOptions,
  ): Array<GeoSearchResult<S>>;
  /** GEOSEARCHSTORE: the number of members stored. */
  geosearchstore(
    destination: RedisKey,
    source: RedisKey,
    from: GeoFrom,
    by: GeoBy,
    options?: GeoSearchStoreOptions,
  ): number;
}

function searchArgs(args: unknown[], from: GeoFrom, by: GeoBy, o: GeoSearchOptions | undefined): unknown[] {
  if ('member' in from) args.push('FROMMEMBER', from.member);
  else args.push('FROMLONLAT', from.longitude, from.latitude);
  if ('radius' in by) args.push('BYRADIUS', by.radius, by.unit);
  else args.push('BYBOX', by.width, by.height, by.unit);
  if (o?.sort !== undefined) args.push(o.sort);
  if (o?.count !== undefined) {
    args.push('COUNT', o.count);
    if (o.any) args.push('ANY');
  } else if (o?.any) {
    throw new CommandSyntaxError('geosearch() takes any only with count', {
      command: 'GEOSEARCH',
      arguments: ['any'],
    });
  }
  return args;
}

function toPosition(v: unknown): GeoPosition | null {
  if (v === null) return null;
  const a = asArray(v);
  return { longitude: toNumber(a[0]), latitude: toNumber(a[1]) };
}

/** Items are `[member, dist?, hash?, [lon, lat]?]` in that order, as asked. */
function toResults(o: GeoSearchWithOptions): (v: unknown) => Array<GeoSearchResult<unknown>> {
  return (v) =>
    asArray(v).map((item) => {
      if (!Array.isArray(item)) return { member: item };
      const r: GeoSearchResult<unknown> = { member: item[0] };
      let i = 1;
      if (o.withDist) r.distance = toNumber(item[i++]);
      if (o.withHash) r.hash = toNumber(item[i++]);
      if (o.withCoord) r.coordinates = toPosition(item[i++]) ?? undefined;
      return r;
    });
}

export const geoCommands = {
  geoadd: {
    command: 'geoadd',
    params: ['key', 'members', '{options}?'],
    args: ([key, members, options]: [RedisKey, GeoMember | readonly GeoMember[], GeoAddOptions?]) => {
      const args: unknown[] = [key];
      if (options?.nx && options.xx)
        throw new CommandSyntaxError('geoadd() takes only one of nx, xx', {
          command: 'GEOADD',
          arguments: ['nx', 'xx'],
        });
      if (options?.nx) args.push('NX');
      if (options?.xx) args.push('XX');
      if (options?.ch) args.push('CH');
      for (const m of Array.isArray(members) ? (members as readonly GeoMember[]) : [members as GeoMember])
        args.push(m.longitude, m.latitude, m.member);
      return args;
    },
  },
  geopos: {
    command: 'geopos',
    params: ['key', '...members'],
    args: (a: [RedisKey, ...Variadic<RedisValue>]) => restArgs([a[0]], a, 1),
    reply: (v) => asArray(v).map(toPosition),
  },
  geodist: {
    command: 'geodist',
    params: ['key', 'member1', 'member2', 'unit?'],
    args: ([key, member1, member2, unit]: [RedisKey, RedisValue, RedisValue, GeoUnit?]) =>
      unit === undefined ? [key, member1, member2] : [key, member1, member2, unit],
    reply: toNumberOrNull,
  },
  geohash: {
    command: 'geohash',
    params: ['key', '...members'],
    args: (a: [RedisKey, ...Variadic<RedisValue>]) => restArgs([a[0]], a, 1),
    reply: toTextOrNullArray,
  },
  geosearch: {
    command: 'geosearch',
    params: ['key', 'from', 'by', '{options}?'],
    args: ([key, from, by, options]: [RedisKey, GeoFrom, GeoBy, GeoSearchOptions?]) =>
      searchArgs([key], from, by, options),
  },
  geosearchWith: {
    command: 'geosearch',
    params: ['key', 'from', 'by', '{options}'],
    args: ([key, from, by, options]: [RedisKey, GeoFrom, GeoBy, GeoSearchWithOptions]) => {
      const args = searchArgs([key], from, by, options);
      if (options.withCoord) args.push('WITHCOORD');
      if (options.withDist) args.push('WITHDIST');
      if (options.withHash) args.push('WITHHASH');
      return args;
    },
    replyFor: ([, , , options]) => toResults(options),
  },
  geosearchstore: {
    command: 'geosearchstore',
    params: ['destination', 'source', 'from', 'by', '{options}?'],
    args: ([destination, source, from, by, options]: [
      RedisKey,
      RedisKey,
      GeoFrom,
      GeoBy,
      GeoSearchStoreOptions?,
    ]) => {
      const args = searchArgs([destination, source], from, by, options);
      if (options?.storedist) args.push('STOREDIST');
      return args;
    },
  },
} satisfies Declarations<GeoCommands<unknown>>;

/** GEOADD overwrites positions (without INCR-like options it repeats harmlessly). */
export const geoRules: RuleSet = idempotentAll(['geoadd']);
