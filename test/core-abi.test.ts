/**
 * The generated core/host interface (scripts/abi): the core reports the version the host was
 * generated with, a core without it (or with another) is refused at instantiation, and the status
 * block slots mean the same on both sides (H_ERROR is a slot index holding the error code).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../src/platform-node.js';
import type { CoreExports } from '../src/core/core-exports.generated.js';
import {
  ABI_VERSION,
  H_CONSUMED,
  H_ERROR,
  H_STATUS,
  HEADER_SLOTS,
  ProtocolErrorCode,
  STATUS_FAILED,
  STATUS_OK,
} from '../src/core/parser-codes.js';
import { loadNodeCore } from '../src/core/wasm-node.js';
import { newCoreInstance, setCoreModule } from '../src/core/wasm.js';
import * as spec from '../scripts/abi/spec.js';

const core = () => newCoreInstance().exports as unknown as CoreExports;

describe('core ABI', () => {
  it('the core reports the interface version the host was generated with', () => {
    assert.equal(core().abiVersion() >>> 0, ABI_VERSION);
  });

  it('a core without abiVersion() is refused at instantiation, and the real one loads again', () => {
    // The smallest valid module: no exports at all.
    setCoreModule(new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])));
    try {
      assert.throws(() => newCoreInstance(), /interface version is missing.*rebuild/);
    } finally {
      loadNodeCore();
    }
    assert.equal(core().abiVersion() >>> 0, ABI_VERSION);
  });

  it('the status block slots carry what the host reads: H_STATUS, H_ERROR (a code), H_CONSUMED', () => {
    const c = core();
    const i32 = () => new Int32Array(c.memory.buffer);
    const hb = c.parseHeader() >> 2;
    const at = c.parseReserve(8);
    new Uint8Array(c.memory.buffer).set(new TextEncoder().encode(':1\r\n?x\r\n'), at);
    assert.equal(c.parse(8), 1);
    assert.equal(i32()[hb + H_STATUS], STATUS_FAILED);
    assert.equal(i32()[hb + H_ERROR], ProtocolErrorCode.UnknownType);
    assert.equal(c.parseError(), ProtocolErrorCode.UnknownType);
    c.parseReset();
    assert.equal(i32()[hb + H_STATUS], STATUS_OK);
    const at2 = c.parseReserve(4);
    new Uint8Array(c.memory.buffer).set(new TextEncoder().encode(':7\r\n'), at2);
    assert.equal(c.parse(4), 1);
    assert.equal(i32()[hb + H_CONSUMED], 4);
  });

  it('the host constants are the spec', () => {
    assert.equal(HEADER_SLOTS, spec.HEADER_SLOTS);
    for (const e of spec.ERRORS)
      assert.equal((ProtocolErrorCode as Record<string, number>)[e.host], e.value, e.host);
  });
});
