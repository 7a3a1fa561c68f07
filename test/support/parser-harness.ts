/**
 * Drives a Parser in tests: records every handler call as an event so a whole run can be
 * compared with the expected deliveries in one assertion.
 */
import { Parser, type ParserOptions } from '../../src/core/parser.js';
import { loadNodeCore } from '../../src/core/wasm-node.js';
import { ReplyErr, type Delivery } from './resp-reference.js';

loadNodeCore();

export type Event = Delivery | { kind: 'protocol'; code: number };

export interface Recorder {
  parser: Parser;
  events: Event[];
}

/** A parser whose handler records events; errors are built as ReplyErr. */
export function recorder(options: ParserOptions = {}): Recorder {
  const events: Event[] = [];
  const parser = new Parser(
    {
      onReply: (value) => events.push({ kind: 'reply', value }),
      onError: (value) => events.push({ kind: 'error', value: value }),
      onPush: (value) => events.push({ kind: 'push', value }),
      onProtocolError: (code) => events.push({ kind: 'protocol', code }),
    },
    { makeError: (m) => new ReplyErr(m), ...options },
  );
  return { parser, events };
}

/** Feeds the chunks to a fresh parser and returns the events; replies and pushes in the same string mode. */
export function run(
  chunks: readonly Uint8Array[],
  options: ParserOptions = {},
  returnBuffers = false,
): Event[] {
  const r = recorder(options);
  r.parser.returnBuffers = returnBuffers;
  r.parser.pushBuffers = returnBuffers;
  for (const c of chunks) r.parser.feed(c);
  return r.events;
}
