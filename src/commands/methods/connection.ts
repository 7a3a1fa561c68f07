/**
 * Connection commands. On a client they run on its shared connection (so
 * `clientId()` is that connection's id); under `withConnection` on the lent one.
 * AUTH, HELLO, SELECT, QUIT and RESET are not methods: the client owns that
 * state and replays it after reconnecting (use the options `password`,
 * `protocol`, `db`, and `close()`).
 */
import { parseClientLine, toBoolean, toText } from './transforms.js';
import type { Implementation, RedisValue } from './types.js';

/** One client as CLIENT LIST / CLIENT INFO describe it (`id`, `addr`, `name`, `db`, `cmd`, …), values as written. */
export type ClientInfo = Record<string, string>;

export interface ClientListOptions {
  type?: 'NORMAL' | 'MASTER' | 'REPLICA' | 'PUBSUB';
  /** Only these client ids. */
  ids?: readonly number[];
}

/** CLIENT KILL filters (at least one). */
export interface ClientKillFilter {
  id?: number;
  addr?: string;
  laddr?: string;
  user?: string;
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

export const connectionCommands: Implementation<ConnectionCommands<unknown>> = {
  ping(message?: RedisValue) {
    return this.dispatch('ping', message === undefined ? [] : [message]);
  },
  echo(message: RedisValue) {
    return this.dispatch('echo', [message]);
  },
  clientId() {
    return this.dispatch('client', ['ID']);
  },
  clientGetname() {
    return this.dispatch('client', ['GETNAME']);
  },
  clientSetname(name: string) {
    return this.dispatch('client', ['SETNAME', name]);
  },
  clientList(options?: ClientListOptions) {
    const args: unknown[] = ['LIST'];
    if (options?.type !== undefined) args.push('TYPE', options.type);
    if (options?.ids !== undefined) args.push('ID', ...options.ids);
    return this.dispatch('client', args, toClientList);
  },
  clientInfo() {
    return this.dispatch('client', ['INFO'], (v) => parseClientLine(toText(v)));
  },
  clientKill(filter: ClientKillFilter) {
    const args: unknown[] = ['KILL'];
    if (filter.id !== undefined) args.push('ID', filter.id);
    if (filter.addr !== undefined) args.push('ADDR', filter.addr);
    if (filter.laddr !== undefined) args.push('LADDR', filter.laddr);
    if (filter.user !== undefined) args.push('USER', filter.user);
    if (filter.type !== undefined) args.push('TYPE', filter.type);
    if (filter.skipme !== undefined) args.push('SKIPME', filter.skipme ? 'YES' : 'NO');
    if (filter.maxage !== undefined) args.push('MAXAGE', filter.maxage);
    return this.dispatch('client', args);
  },
  clientUnblock(id: number, mode?: 'TIMEOUT' | 'ERROR') {
    return this.dispatch('client', mode === undefined ? ['UNBLOCK', id] : ['UNBLOCK', id, mode], toBoolean);
  },
  clientPause(timeout: number, mode?: 'WRITE' | 'ALL') {
    return this.dispatch('client', mode === undefined ? ['PAUSE', timeout] : ['PAUSE', timeout, mode]);
  },
  clientUnpause() {
    return this.dispatch('client', ['UNPAUSE']);
  },
  clientNoEvict(on: boolean) {
    return this.dispatch('client', ['NO-EVICT', on ? 'ON' : 'OFF']);
  },
  clientNoTouch(on: boolean) {
    return this.dispatch('client', ['NO-TOUCH', on ? 'ON' : 'OFF']);
  },
  clientSetinfo(attribute: 'LIB-NAME' | 'LIB-VER', value: string) {
    return this.dispatch('client', ['SETINFO', attribute, value]);
  },
};
