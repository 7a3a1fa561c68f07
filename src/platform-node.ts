/** Registers Node's pieces: the WASM core read from the package, net/tls sockets, Buffer replies. */
import { setPlatform } from './shared/options.js';
import { loadNodeCore } from './core/wasm-node.js';
import { nodeTransport } from './transport/node.js';

loadNodeCore();
setPlatform({ transport: nodeTransport, binary: 'buffer' });
