/** Connection and server commands. */
import type { Dispatcher, RedisValue } from './types.js';

export interface ServerCommands<S> {
  ping(message?: RedisValue): S;
  echo(message: RedisValue): S;
  dbsize(): number;
  flushdb(mode?: 'ASYNC' | 'SYNC'): 'OK';
  flushall(mode?: 'ASYNC' | 'SYNC'): 'OK';
  info(...sections: string[]): string;
  time(): [S, S];
}

export const serverCommands: ThisType<Dispatcher> & Record<keyof ServerCommands<unknown>, (...a: never[]) => unknown> = {
  ping(message?: RedisValue) {
    return this.dispatch('ping', message === undefined ? [] : [message]);
  },
  echo(message: RedisValue) {
    return this.dispatch('echo', [message]);
  },
  dbsize() {
    return this.dispatch('dbsize', []);
  },
  flushdb(mode?: 'ASYNC' | 'SYNC') {
    return this.dispatch('flushdb', mode ? [mode] : []);
  },
  flushall(mode?: 'ASYNC' | 'SYNC') {
    return this.dispatch('flushall', mode ? [mode] : []);
  },
  info(...sections: string[]) {
    return this.dispatch('info', sections, String);
  },
  time() {
    return this.dispatch('time', []);
  },
};
