/**
 * wredis for Node.js: net/tls sockets, the WASM core read from the package.
 * Edge runtimes get their own entry through the package's conditional exports.
 */
import './platform-node.js';

export * from './api.js';
