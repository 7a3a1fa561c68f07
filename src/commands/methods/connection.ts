/**
 * Connection commands. On a client they run on its shared connection (so
 * `clientId()` is that connection's id); under `withConnection` on the lent one.
 * AUTH, HELLO, SELECT, QUIT and RESET are not methods: the client owns that
 * state and replays it after reconnecting (use the options `password`,
 * `protocol`, `db`, and `close()`).
 */
import { parseClientLine, toBoolean, toText } from './transforms.js';
import type { RedisValue } from './types.js';
import { command, idempotentAll, optionNames, type RuleSet, type Signatures } from '../declare.js';

/** One client as CLIENT LIST / CLIENT INFO describe it (`id`, `addr`, `name`, `db`, `cmd`, …), values as written. */
export type ClientInfo = Record<string, string>;

/** Options of CLIENT LIST. */
export interface ClientListOptions {
  /** Only clients of this type. */
  type?: 'NORMAL' | 'MASTER' | 'REPLICA' | 'PUBSUB';
  /** Only these client ids. */
  ids?: readonly number[];
}

/** CLIENT KILL filters (at least one). */
export interface ClientKillFilter {
  /** Kill the client with this ID. */
  id?: number;
  /** Kill clients connected from this `ip:port`. */
  addr?: string;
  /** Kill clients connected to this local `ip:port`. */
  laddr?: string;
  /** Kill clients authenticated as this ACL user. */
  user?: string;
  /** Kill clients of this type. */
  type?: 'NORMAL' | 'MASTER' | 'REPLICA' | 'PUBSUB';
  /** Default true: the calling connection is spared. */
  skipme?: boolean;
  /** Only clients older than this many seconds (Redis 7.4+). */
  maxage?: number;
}

function toClientList(v: unknown): ClientInfo[] {
  return toText(v)
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map(parseClientLine);
}

/**
 * The connection command declarations; `S` is the string type of replies (string, or bytes under withBuffers()).
 * Each method's signature and TSDoc are written here once; {@link ConnectionCommands} maps them.
 */
function declarations<S>() {
  return {
    ping: command<(message?: RedisValue) => S>({
      command: 'ping',
      params: ['message?'],
      args: ([message]) => (message === undefined ? [] : [message]),
    }),
    echo: command<(message: RedisValue) => S>({
      command: 'echo',
      params: ['message'],
      args: ([message]) => [message],
    }),
    /** CLIENT ID of the connection the command runs on. */
    clientId: command<() => number>({
      command: 'client',
      params: [],
      args: () => ['ID'],
    }),
    clientGetname: command<() => S | null>({
      command: 'client',
      params: [],
      args: () => ['GETNAME'],
    }),
    clientSetname: command<(name: string) => 'OK'>({
      command: 'client',
      params: ['name'],
      args: ([name]) => ['SETNAME', name],
    }),
    /** CLIENT LIST, one object per client. */
    clientList: command<(options?: ClientListOptions) => ClientInfo[]>({
      command: 'client',
      params: ['{options}?'],
      options: optionNames<ClientListOptions>()(['type', 'ids']),
      args: ([options]) => {
        const args: unknown[] = ['LIST'];
        if (options?.type !== undefined) args.push('TYPE', options.type);
        if (options?.ids !== undefined) args.push('ID', ...options.ids);
        return args;
      },
      reply: toClientList,
    }),
    /** CLIENT INFO of the connection the command runs on. */
    clientInfo: command<() => ClientInfo>({
      command: 'client',
      params: [],
      args: () => ['INFO'],
      reply: (v) => parseClientLine(toText(v)),
    }),
    /** CLIENT KILL with filters: the number of clients killed. */
    clientKill: command<(filter: ClientKillFilter) => number>({
      command: 'client',
      params: ['{filter}'],
      options: optionNames<ClientKillFilter>()(['id', 'addr', 'laddr', 'user', 'type', 'skipme', 'maxage']),
      args: ([filter]) => {
        const args: unknown[] = ['KILL'];
        if (filter.id !== undefined) args.push('ID', filter.id);
        if (filter.addr !== undefined) args.push('ADDR', filter.addr);
        if (filter.laddr !== undefined) args.push('LADDR', filter.laddr);
        if (filter.user !== undefined) args.push('USER', filter.user);
        if (filter.type !== undefined) args.push('TYPE', filter.type);
        if (filter.skipme !== undefined) args.push('SKIPME', filter.skipme ? 'YES' : 'NO');
        if (filter.maxage !== undefined) args.push('MAXAGE', filter.maxage);
        return args;
      },
    }),
    /**
     * CLIENT UNBLOCK: true when the client was blocked. With `'ERROR'` its command
     * rejects with UnblockedError; with `'TIMEOUT'` (default) it ends as if timed out.
     */
    clientUnblock: command<(id: number, mode?: 'TIMEOUT' | 'ERROR') => boolean>({
      command: 'client',
      params: ['id', 'mode?'],
      args: ([id, mode]) => (mode === undefined ? ['UNBLOCK', id] : ['UNBLOCK', id, mode]),
      reply: toBoolean,
    }),
    /** CLIENT PAUSE for `timeout` ms (`'WRITE'`: only writes, Redis 6.2+). */
    clientPause: command<(timeout: number, mode?: 'WRITE' | 'ALL') => 'OK'>({
      command: 'client',
      params: ['timeout', 'mode?'],
      args: ([timeout, mode]) => (mode === undefined ? ['PAUSE', timeout] : ['PAUSE', timeout, mode]),
    }),
    clientUnpause: command<() => 'OK'>({
      command: 'client',
      params: [],
      args: () => ['UNPAUSE'],
    }),
    /** CLIENT NO-EVICT (Redis 7.0+). */
    clientNoEvict: command<(on: boolean) => 'OK'>({
      command: 'client',
      params: ['on'],
      args: ([on]) => ['NO-EVICT', on ? 'ON' : 'OFF'],
    }),
    /** CLIENT NO-TOUCH (Redis 7.2+). */
    clientNoTouch: command<(on: boolean) => 'OK'>({
      command: 'client',
      params: ['on'],
      args: ([on]) => ['NO-TOUCH', on ? 'ON' : 'OFF'],
    }),
    /** CLIENT SETINFO (Redis 7.2+): library name or version shown in CLIENT LIST. */
    clientSetinfo: command<(attribute: 'LIB-NAME' | 'LIB-VER', value: string) => 'OK'>({
      command: 'client',
      params: ['attribute', 'value'],
      args: ([attribute, value]) => ['SETINFO', attribute, value],
    }),
  };
}

export const connectionCommands = declarations();

/** The connection command signatures, with plain reply types; clients wrap them in promises. */
export type ConnectionCommands<S> = Signatures<ReturnType<typeof declarations<S>>>;

/** Connection state and queries the server does not flag read-only: repeating them is harmless. */
export const connectionRules: RuleSet = idempotentAll([
  'ping',
  'echo',
  'select',
  'auth',
  'hello',
  'readonly',
  'readwrite',
  'client|getname',
  'client|id',
  'client|info',
  'client|list',
  'client|getredir',
  'client|trackinginfo',
  'client|setname',
  'client|setinfo',
  'client|no-evict',
  'client|no-touch',
  'client|help',
]);
