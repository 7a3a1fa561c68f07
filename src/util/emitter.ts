/**
 * A tiny typed event emitter that runs on every runtime (no `node:events`).
 * Unlike Node's, an `error` event without listeners is dropped rather than
 * thrown: background reconnect failures must not crash a process whose
 * commands already reject on their own.
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
    for (const l of list.slice()) l(...args);
  }
}
