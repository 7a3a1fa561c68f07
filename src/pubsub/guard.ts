/**
 * (Un)subscribe commands must not be sent as plain commands: under RESP3 their answers are
 * pushes (no reply would ever reach the FIFO slot), under RESP2 they turn the shared connection
 * into a subscriber that refuses every other command, and inside MULTI they would leave it
 * subscribed. Clients, pipelines and transactions check names here.
 */
import { PubSubError } from '../errors/index.js';

const SUBSCRIBE_COMMANDS = new Set([
  'subscribe',
  'psubscribe',
  'ssubscribe',
  'unsubscribe',
  'punsubscribe',
  'sunsubscribe',
]);

/** True for SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and their UNSUBSCRIBE counterparts, in any case. */
export function isSubscribeCommand(name: string): boolean {
  return name.length >= 9 && name.length <= 12 && SUBSCRIBE_COMMANDS.has(name.toLowerCase());
}

/** The error for sending an (un)subscribe command as a plain command (in `where`), or undefined when `name` is another command. */
export function pubSubMisuse(
  name: string,
  where: 'client' | 'pipeline' | 'transaction' = 'client',
): PubSubError | undefined {
  if (!isSubscribeCommand(name)) return undefined;
  const upper = name.toUpperCase();
  const method = upper.toLowerCase();
  const message =
    where === 'transaction'
      ? `${upper} cannot run inside a transaction: use the client's ${method}()`
      : `${upper} cannot be sent as a plain command${where === 'pipeline' ? ' in a pipeline' : ''}: use the client's ${method}()`;
  return new PubSubError(message, { command: upper });
}
