/**
 * A tiny typed event emitter that runs on every runtime (no `node:events`).
 * Unlike Node's, an `error` event without listeners is dropped rather than
 * thrown: background reconnect failures must not crash a process whose
 * commands already reject on their own. A listener that throws does not stop
 * the others or the client: its exception is rethrown from a microtask.
 */
export type Listener<A extends unknown[]> = (...args: A) => void;

/** Typed event emitter of the clients (`on`, `once`, `off`, `listenerCount`), the same on every runtime. */
export class Emitter<Events extends { [K in keyof Events]: unknown[] }> {
  private listeners: { [K in keyof Events]?: Array<Listener<Events[K]>> } = {};

  /** Calls `listener` on every `event`. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    (this.listeners[event] ??= []).push(listener);
    return this;
  }

  /** Calls `listener` on the next `event` only. */
  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    const wrapped: Listener<Events[K]> = (...args) => {
      this.off(event, wrapped);
      listener(...args);
    };
    return this.on(event, wrapped);
  }

  /** Removes a listener added with `on` or `once`. */
  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    const list = this.listeners[event];
    if (list) {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    }
    return this;
  }

  /** Number of listeners of `event`. */
  listenerCount<K extends keyof Events>(event: K): number {
    return this.listeners[event]?.length ?? 0;
  }

  protected emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    const list = this.listeners[event];
    if (!list || list.length === 0) return;
    for (const l of list.slice()) {
      try {
        l(...args);
      } catch (e) {
        // Events are emitted in the middle of the client's own work (a lost socket, a failed
        // attempt, a reconnect being scheduled): a listener's exception thrown through it left
        // commands unsettled and the client never reconnecting. It surfaces as an uncaught
        // exception once that work is done, as a Pub/Sub listener's does.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }
}
