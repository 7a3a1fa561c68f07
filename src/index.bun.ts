/**
 * wredis for Bun: `Bun.connect`, the core read with `Bun.file`.
 * Picked by the package's `bun` export condition; the API is the same as on Node,
 * except that bytes replies are Uint8Array.
 */
import './platform-bun.js';

export * from './api.js';
