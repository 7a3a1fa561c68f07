/**
 * The pieces every typed command declaration is made of. A declaration turns
 * typed arguments into the wire arguments and names the transform that shapes
 * the reply the same way under RESP2 and RESP3. The same declarations serve the
 * client (which returns promises), pipelines and transactions (which chain).
 */

/** A key or value as accepted on the wire. Buffers are Uint8Arrays. */
export type RedisKey = string | number | Uint8Array;
export type RedisValue = string | number | Uint8Array;

/** Turns a protocol value into a typed reply. */
export type Transform<T> = (reply: unknown) => T;

/**
 * What typed commands run on. `dispatch` returns a promise on clients and the
 * chain itself on pipelines; declarations only pass its result through.
 */
export interface Dispatcher {
  dispatch(name: string, args: unknown[], transform?: Transform<unknown>): unknown;
}
