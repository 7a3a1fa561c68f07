/** Geospatial commands. Coordinates and distances are numbers under RESP2 (strings) and RESP3 (doubles). */
import { restArgs, type Variadic } from './args.js';
import { CommandSyntaxError } from '../../errors/index.js';
import { asArray, asString, toNumber, toNumberOrNull, toTextOrNullArray } from './transforms.js';
import type { RedisKey, RedisValue } from './types.js';
import { command, idempotentAll, optionNames, type RuleSet, type Signatures } from '../declare.js';

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

/** Options of GEOADD: `nx` or `xx`, not both (a compile error, and a CommandSyntaxError for plain JavaScript). */
export type GeoAddOptions = (
  | {
      /** NX: only add new members. */
      nx?: boolean;
      /** Not with `nx`. */
      xx?: false;
    }
  | {
      /** Not with `xx`. */
      nx?: false;
      /** XX: only update existing members. */
      xx?: boolean;
    }
) & {
  /** Count changed members, not only added ones. */
  ch?: boolean;
};

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
function toResults<S>(o: GeoSearchWithOptions): (v: unknown) => Array<GeoSearchResult<S>> {
  return (v) =>
    asArray(v).map((item) => {
      if (!Array.isArray(item)) return { member: asString<S>(item) };
      const r: GeoSearchResult<S> = { member: asString<S>(item[0]) };
      let i = 1;
      if (o.withDist) r.distance = toNumber(item[i++]);
      if (o.withHash) r.hash = toNumber(item[i++]);
      if (o.withCoord) r.coordinates = toPosition(item[i++]) ?? undefined;
      return r;
    });
}

/**
 * The geo command declarations; `S` is the string type of replies (string, or bytes under withBuffers()).
 * Each method's signature and TSDoc are written here once; {@link GeoCommands} maps them.
 */
function declarations<S>() {
  return {
    /** GEOADD: the number of members added (changed with `ch`). */
    geoadd: command<
      (key: RedisKey, members: GeoMember | readonly GeoMember[], options?: GeoAddOptions) => number
    >({
      command: 'geoadd',
      params: ['key', 'members', '{options}?'],
      options: optionNames<GeoAddOptions>()(['nx', 'xx', 'ch']),
      args: ([key, members, options]) => {
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
    }),
    /** GEOPOS: a position per member, null for missing ones. */
    geopos: command<(key: RedisKey, ...members: Variadic<RedisValue>) => Array<GeoPosition | null>>({
      command: 'geopos',
      params: ['key', '...members'],
      args: (a) => restArgs([a[0]], a, 1),
      reply: (v) => asArray(v).map(toPosition),
    }),
    /** GEODIST: the distance, or null when a member is missing. */
    geodist: command<
      (key: RedisKey, member1: RedisValue, member2: RedisValue, unit?: GeoUnit) => number | null
    >({
      command: 'geodist',
      params: ['key', 'member1', 'member2', 'unit?'],
      args: ([key, member1, member2, unit]) =>
        unit === undefined ? [key, member1, member2] : [key, member1, member2, unit],
      reply: toNumberOrNull,
    }),
    /** GEOHASH: the 11-character geohash per member, null for missing ones. */
    geohash: command<(key: RedisKey, ...members: Variadic<RedisValue>) => Array<string | null>>({
      command: 'geohash',
      params: ['key', '...members'],
      args: (a) => restArgs([a[0]], a, 1),
      reply: toTextOrNullArray,
    }),
    /** GEOSEARCH: the members in the area. */
    geosearch: command<(key: RedisKey, from: GeoFrom, by: GeoBy, options?: GeoSearchOptions) => S[]>({
      command: 'geosearch',
      params: ['key', 'from', 'by', '{options}?'],
      options: optionNames<GeoSearchOptions>()(['sort', 'count', 'any']),
      args: ([key, from, by, options]) => searchArgs([key], from, by, options),
    }),
    /** GEOSEARCH with WITHCOORD / WITHDIST / WITHHASH. */
    geosearchWith: command<
      (key: RedisKey, from: GeoFrom, by: GeoBy, options: GeoSearchWithOptions) => Array<GeoSearchResult<S>>
    >({
      command: 'geosearch',
      params: ['key', 'from', 'by', '{options}'],
      options: optionNames<GeoSearchWithOptions>()([
        'sort',
        'count',
        'any',
        'withCoord',
        'withDist',
        'withHash',
      ]),
      args: ([key, from, by, options]) => {
        const args = searchArgs([key], from, by, options);
        if (options.withCoord) args.push('WITHCOORD');
        if (options.withDist) args.push('WITHDIST');
        if (options.withHash) args.push('WITHHASH');
        return args;
      },
      replyFor: ([, , , options]) => toResults(options),
    }),
    /** GEOSEARCHSTORE: the number of members stored. */
    geosearchstore: command<
      (
        destination: RedisKey,
        source: RedisKey,
        from: GeoFrom,
        by: GeoBy,
        options?: GeoSearchStoreOptions,
      ) => number
    >({
      command: 'geosearchstore',
      params: ['destination', 'source', 'from', 'by', '{options}?'],
      options: optionNames<GeoSearchStoreOptions>()(['sort', 'count', 'any', 'storedist']),
      args: ([destination, source, from, by, options]) => {
        const args = searchArgs([destination, source], from, by, options);
        if (options?.storedist) args.push('STOREDIST');
        return args;
      },
    }),
  };
}

export const geoCommands = declarations();

/** The geo command signatures, with plain reply types; clients wrap them in promises. */
export type GeoCommands<S> = Signatures<ReturnType<typeof declarations<S>>>;

/** GEOADD overwrites positions (without INCR-like options it repeats harmlessly). */
export const geoRules: RuleSet = idempotentAll(['geoadd']);
