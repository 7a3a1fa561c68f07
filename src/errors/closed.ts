/**
 * The one error for a command given to a client, connection or pool after `close()` /
 * `disconnect()`: the same message, class and code wherever the caller meets it.
 */
import { ConnectionError } from './classes.js';
import { ErrorCodes } from './codes.js';

export function closedError(cause?: unknown): ConnectionError {
  return new ConnectionError('Connection is closed', { cause, code: ErrorCodes.CONNECTION_CLOSED });
}
