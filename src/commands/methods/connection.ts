/**
 * Connection commands. On a client they run on its shared connection (so
 * `clientId()` is that connection's id); under `withConnection` on the lent one.
 * AUTH, HELLO, SELECT, QUIT and RESET are not methods: the client owns that
 * state and replays it after reconnecting (use the options `password`,
 * `protocol`, `db`, and `close()`).
 */
import { parseClientLine, toBoolean, toText } from './transforms.js';
import type { RedisValue } from './types.js';
import { idempotentAll, type Declarations, type RuleSet } from '../declare.js';

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

export interface ConnectionCommands<S> {
  ping(message?: RedisValue): S;
  echo(message: RedisValue): S;
  /** CLIENT ID of the connection the command runs on. */
  clientId(): number;
  clientGetname(): S | null;
  clientSetname(name: string): 'OK';
  /** CLIENT LIST, one object per client. */
  clientList(options?: ClientListOptions): ClientInfo[];
  /** CLIENT INFO of the connection the command runs on. */
  clientInfo(): ClientInfo;
  /** CLIENT KILL with filters: the number of clients killed. */
  clientKill(filter: ClientKillFilter): number;
  /**
   * CLIENT UNBLOCK: true when the client was blocked. With `'ERROR'` its command
   * rejects with UnblockedError; with `'TIMEOUT'` (default) it ends as if timed out.
   */
  clientUnblock(id: number, mode?: 'TIMEOUT' | 'ERROR'): boolean;
  /** CLIENT PAUSE for `timeout` ms (`'WRITE'`: only writes, Redis 6.2+). */
  clientPause(timeout: number, mode?: 'WRITE' | 'ALL'): 'OK';
  clientUnpause(): 'OK';
  /** CLIENT NO-EVICT (Redis 7.0+). */
  clientNoEvict(on: boolean): 'OK';
  /** CLIENT NO-TOUCH (Redis 7.2+). */
  clientNoTouch(on: boolean): 'OK';
  /** CLIENT SETINFO (Redis 7.2+): library name or version shown in CLIENT LIST. */
  clientSetinfo(attribute: 'LIB-NAME' | 'LIB-VER', value: string): 'OK';
}

function toClientList(v: unknown): ClientInfo[] {
  return toText(v)
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map(parseClientLine);
}

export const connectionCommands = {
  ping: {
    command: 'ping',
    params: ['message?'],
    args: ([message]: [RedisValue?]) => (message === undefined ? [] : [message]),
  },
  echo: {
    command: 'echo',
    params: ['message'],
    args: ([message]: [RedisValue]) => [message],
  },
  clientId: {
    command: 'client',
    params: [],
    args: () => ['ID'],
  },
  clientGetname: {
    command: 'client',
    params: [],
    args: () => ['GETNAME'],
  },
  clientSetname: {
    command: 'client',
    params: ['name'],
    args: ([name]: [string]) => ['SETNAME', name],
  },
  clientList: {
    command: 'client',
    params: ['{options}?'],
    args: ([options]: [ClientListOptions?]) => {
      const args: unknown[] = ['LIST'];
      if (options?.type !== undefined) args.push('TYPE', options.type);
      if (options?.ids !== undefined) args.push('ID', ...options.ids);
      return args;
    },
    reply: toClientList,
  },
  clientInfo: {
    command: 'client',
    params: [],
    args: () => ['INFO'],
    reply: (v) => parseClientLine(toText(v)),
  },
  clientKill: {
    command: 'client',
    params: ['filter'],
    args: ([filter]: [ClientKillFilter]) => {
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
  },
  clientUnblock: {
    command: 'client',
    params: ['id', 'mode?'],
    args: ([id, mode]: [number, ('TIMEOUT' | 'ERROR')?]) =>
      mode === undefined ? ['UNBLOCK', id] : ['UNBLOCK', id, mode],
    reply: toBoolean,
  },
  clientPause: {
    command: 'client',
    params: ['timeout', 'mode?'],
    args: ([timeout, mode]: [number, ('WRITE' | 'ALL')?]) =>
      mode === undefined ? ['PAUSE', timeout] : ['PAUSE', timeout, mode],
  },
  clientUnpause: {
    command: 'client',
    params: [],
    args: () => ['UNPAUSE'],
  },
  clientNoEvict: {
    command: 'client',
    params: ['on'],
    args: ([on]: [boolean]) => ['NO-EVICT', on ? 'ON' : 'OFF'],
  },
  clientNoTouch: {
    command: 'client',
    params: ['on'],
    args: ([on]: [boolean]) => ['NO-TOUCH', on ? 'ON' : 'OFF'],
  },
  clientSetinfo: {
    command: 'client',
    params: ['attribute', 'value'],
    args: ([attribute, value]: ['LIB-NAME' | 'LIB-VER', string]) => ['SETINFO', attribute, value],
  },
} satisfies Declarations<ConnectionCommands<unknown>>;

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
