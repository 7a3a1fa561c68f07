/**
 * Lua scripts by digest. `new Script(client, lua)` knows its SHA-1 at once (computed in plain
 * TypeScript, see ./sha1.ts); `run()` sends EVALSHA and, when the server answers NOSCRIPT
 * (first use, SCRIPT FLUSH, restart, failover), sends EVAL once, which also caches the script.
 * So NoScriptError reaches callers only when they call EVALSHA themselves.
 *
 * In a pipeline (`runIn`): EVAL until this script is known to be in the server's cache, then
 * EVALSHA; a NOSCRIPT slot is loaded and retried after `exec()` (so that one slot runs after
 * the rest of the pipeline). In a MULTI (`runIn` on a transaction) always EVAL: a NOSCRIPT
 * inside EXEC could not be retried without breaking atomicity.
 */
import type { Pipeline, Transaction } from '../shared/pipeline.js';
import { NoScriptError } from '../errors/index.js';
import { isScriptErrorReply } from '../errors/server-errors.js';
import { sha1Hex } from './sha1.js';
import { asText, callTail, type CommandRunner, type ScriptCall } from './types.js';

export type { ScriptCall } from './types.js';

/** A script body with its digest, computed once (module-level scripts share it across clients). */
export interface ScriptSource {
  /** The script's Lua source. */
  readonly lua: string | Uint8Array;
  /** Lower-case hex SHA-1 of the body, as `SCRIPT LOAD` returns it. */
  readonly sha: string;
}

/** Computes a script's digest once. */
export function defineScript(lua: string | Uint8Array): ScriptSource {
  return { lua, sha: sha1Hex(lua) };
}

/** A typed batch with one more (script reply) slot; other batches as they are. */
export type WithSlot<B> =
  B extends Pipeline<infer T>
    ? Pipeline<[...T, unknown]>
    : B extends Transaction<infer T>
      ? Transaction<[...T, unknown]>
      : B;

/** What `runIn` queues into: a `pipeline()` or a `multi()` (recognised by its `discard()`). */
export interface ScriptBatch {
  /** Commands queued so far. */
  readonly length: number;
  /** Queues any command. */
  call(name: string, ...args: unknown[]): unknown;
  /** Sends the queued commands. */
  exec(): Promise<unknown[]>;
  /** Present on `multi()` only: drops the queued commands. */
  discard?(): void;
}

/** EVALSHA with the EVAL fallback on NOSCRIPT. `readOnly` uses EVALSHA_RO / EVAL_RO. */
export async function evalScript(
  client: CommandRunner,
  source: ScriptSource,
  call?: ScriptCall,
  readOnly = false,
): Promise<unknown> {
  const bySha = readOnly ? 'EVALSHA_RO' : 'EVALSHA';
  const tail = callTail(call, bySha);
  try {
    return await client.call(bySha, source.sha, ...tail);
  } catch (e) {
    // A NOSCRIPT the script returned itself means it ran: running it by body would run it twice.
    if (!(e instanceof NoScriptError) || isScriptErrorReply(e, bySha)) throw e;
    return client.call(readOnly ? 'EVAL_RO' : 'EVAL', source.lua, ...tail);
  }
}

/** A script bound to a client. Obtained from `r.script(lua)`; nothing is sent until it runs. */
export class Script {
  /** The script body. */
  readonly lua: string | Uint8Array;
  /** Lower-case hex SHA-1 of the body. */
  readonly sha: string;
  /** Seen in the server's script cache through this object (EVALSHA worked, or it was loaded). */
  private cached = false;

  constructor(
    private readonly client: CommandRunner,
    lua: string | Uint8Array | ScriptSource,
  ) {
    const source = typeof lua === 'string' || lua instanceof Uint8Array ? defineScript(lua) : lua;
    this.lua = source.lua;
    this.sha = source.sha;
  }

  /** Runs the script: EVALSHA, and EVAL when the server does not have it. Resolves with the script's reply. */
  run(call?: ScriptCall): Promise<unknown> {
    return this.invoke(call, false);
  }

  /** The read-only variant (EVALSHA_RO / EVAL_RO, Redis 7+): may run on replicas; writes are refused. */
  runRo(call?: ScriptCall): Promise<unknown> {
    return this.invoke(call, true);
  }

  /** SCRIPT LOAD: puts the script in the server's cache. Resolves with its digest. */
  async load(): Promise<string> {
    const sha = asText(await this.client.call('SCRIPT', 'LOAD', this.lua));
    this.cached = true;
    return sha;
  }

  /** SCRIPT EXISTS for this script. */
  async exists(): Promise<boolean> {
    const reply = (await this.client.call('SCRIPT', 'EXISTS', this.sha)) as unknown[];
    return reply[0] === 1 || reply[0] === true;
  }

  /**
   * Queues the script into a pipeline or transaction and returns the batch (for chaining). Its
   * reply lands in its own slot of `exec()`'s results; a NOSCRIPT there is loaded and retried.
   */
  runIn<B extends ScriptBatch>(batch: B, call?: ScriptCall): WithSlot<B> {
    return this.queue(batch, call, false) as WithSlot<B>;
  }

  /** `runIn` with EVALSHA_RO / EVAL_RO. */
  runRoIn<B extends ScriptBatch>(batch: B, call?: ScriptCall): WithSlot<B> {
    return this.queue(batch, call, true) as WithSlot<B>;
  }

  private async invoke(call: ScriptCall | undefined, readOnly: boolean): Promise<unknown> {
    const reply = await evalScript(this.client, this, call, readOnly);
    this.cached = true;
    return reply;
  }

  private queue<B extends ScriptBatch>(batch: B, call: ScriptCall | undefined, readOnly: boolean): B {
    const byBody = readOnly ? 'EVAL_RO' : 'EVAL';
    let tail: unknown[];
    try {
      tail = callTail(call, byBody);
    } catch (e) {
      // As for a typed method's bad argument: the slot holds the DataError (a multi() then
      // rejects whole, nothing sent), never a synchronous throw from the chain.
      const failing = batch as B & { commandFailed?: (error: unknown) => unknown };
      if (typeof failing.commandFailed !== 'function') throw e;
      failing.commandFailed(e);
      return batch;
    }
    if (!this.cached || typeof batch.discard === 'function') {
      batch.call(byBody, this.lua, ...tail);
      return batch;
    }
    const bySha = readOnly ? 'EVALSHA_RO' : 'EVALSHA';
    const slot: RetrySlot = {
      index: batch.length,
      command: bySha,
      requeue: (into) => into.call(byBody, this.lua, ...tail),
      retry: () => this.client.call(byBody, this.lua, ...tail),
    };
    batch.call(bySha, this.sha, ...tail);
    addRetrySlot(batch, slot);
    return batch;
  }
}

// --- NOSCRIPT retries in pipelines ----------------------------------------------------------
//
// The pipeline knows nothing of scripts, so the first script queued into one wraps that
// pipeline object's exec(): after the original exec, slots that failed with NOSCRIPT run again
// by body (EVAL, which also loads the script). Interim until batches offer a per-slot hook.

interface RetrySlot {
  readonly index: number;
  /** EVALSHA or EVALSHA_RO. */
  readonly command: string;
  /** Queues the slot again by body into `into` (its batch, or an empty one on the same target). */
  readonly requeue: (into: ScriptBatch) => void;
  /** Runs it by body through the script's own client (a batch in use again that has no sibling). */
  readonly retry: () => Promise<unknown>;
}

const slotsOf = new WeakMap<ScriptBatch, RetrySlot[]>();

function addRetrySlot(batch: ScriptBatch, slot: RetrySlot): void {
  const slots = slotsOf.get(batch);
  if (slots !== undefined) {
    slots.push(slot);
    return;
  }
  slotsOf.set(batch, [slot]);
  const exec = batch.exec;
  Object.defineProperty(batch, 'exec', {
    configurable: true,
    writable: true,
    value: async function execRetryingScripts(this: ScriptBatch): Promise<unknown[]> {
      // Slots belong to this exec only: a reused pipeline starts counting afresh.
      const mine = slotsOf.get(batch)?.splice(0) ?? [];
      const results = await exec.call(this);
      const failed = mine.filter((s) => {
        const r = results[s.index];
        return r instanceof NoScriptError && !isScriptErrorReply(r, s.command);
      });
      // Through the batch itself, so the retry has what its slot had: the batch's connection and
      // reply form (a withBuffers() pipeline gets bytes), its keyPrefix and withOptions() limits,
      // whichever client the script is bound to. If the caller queued more on it meanwhile (those
      // are theirs to exec), through an empty pipeline on the same target: the script's own client
      // gave a withBuffers() pipeline's slot a string.
      const into =
        this.length === 0 ? this : (this as ScriptBatch & { sibling?: () => ScriptBatch }).sibling?.();
      if (failed.length > 0 && into !== undefined) {
        // In order, in one write.
        for (const s of failed) s.requeue(into);
        // A rejected retry (a withOptions() view's abort or timeout) fails those slots only.
        const again = await (into === this ? exec.call(this) : into.exec()).then(
          (v) => v,
          (e: unknown) => failed.map(() => e),
        );
        failed.forEach((s, i) => {
          results[s.index] = again[i];
        });
      } else if (failed.length > 0) {
        // The caller queued more on this batch meanwhile and it has no sibling: these go through
        // the script's client. Dispatched in one tick: they stay in order on the wire.
        const again = await Promise.all(
          failed.map((s) =>
            s.retry().then(
              (v) => v,
              (e: unknown) => e,
            ),
          ),
        );
        failed.forEach((s, i) => {
          results[s.index] = again[i];
        });
      }
      return results;
    },
  });
}
