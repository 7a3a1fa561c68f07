/**
 * wredis for Deno: `Deno.connect`/`Deno.connectTls`, the core by source phase import.
 * Picked by the package's `deno` export condition; the API is the same as on Node,
 * except that bytes replies are Uint8Array.
 */
import './platform-deno.js';

export * from './api.js';
