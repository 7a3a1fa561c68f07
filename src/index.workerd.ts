/**
 * wredis for Cloudflare Workers (workerd): `cloudflare:sockets`, the core imported as a `.wasm` module.
 * Picked by the package's `workerd` export condition (and `worker`); the API is the same as on Node,
 * except that bytes replies are Uint8Array.
 */
import './platform-workerd.js';

export * from './api.js';
