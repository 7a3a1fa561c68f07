/**
 * Error handling pattern 2: graceful degradation.
 *
 * Redis as a cache in front of a slower source of truth. When the cache cannot be reached
 * (ConnectionError, which includes TimeoutError), read the source of truth instead: the
 * request still succeeds, only slower. Filling the cache is best effort too. Errors that
 * are not about reaching Redis (a ResponseError is a bug) are not swallowed.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 node --import tsx examples/graceful-degradation.ts
 */
import { ConnectionError, Redis, Retry } from '../src/index.js';

const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

const redis = new Redis(url, {
  // A cache must not make a request slower than having no cache: give up quickly.
  connectTimeout: 1_000,
  commandTimeout: 500,
  retry: new Retry({ retries: 0 }),
});

interface Product {
  id: number;
  name: string;
  price: number;
}

/** The source of truth (a database, an HTTP API, ...). */
async function loadProduct(id: number): Promise<Product> {
  return { id, name: `product ${id}`, price: id * 100 };
}

// Keys of this run only, so the counts below do not depend on earlier runs.
const namespace = `example:graceful-degradation:${process.pid}.${Date.now()}`;
const served = { cache: 0, source: 0, fallback: 0 };
let degraded = false;

function cacheUnavailable(error: unknown): boolean {
  if (!(error instanceof ConnectionError)) return false;
  if (!degraded) {
    degraded = true;
    console.log(`graceful-degradation: cache unavailable (${error.name}), serving from the source`);
  }
  return true;
}

async function getProduct(id: number): Promise<Product> {
  const key = `${namespace}:product:${id}`;
  let cached: string | null;
  try {
    cached = await redis.get(key);
  } catch (error) {
    if (!cacheUnavailable(error)) throw error;
    served.fallback++;
    return loadProduct(id);
  }
  if (cached !== null) {
    served.cache++;
    return JSON.parse(cached) as Product;
  }
  served.source++;
  const product = await loadProduct(id);
  try {
    await redis.set(key, JSON.stringify(product), { ex: 60 });
  } catch (error) {
    if (!cacheUnavailable(error)) throw error;
  }
  return product;
}

const requests = [1, 2, 1, 3, 2, 1];
let total = 0;
try {
  for (const id of requests) total += (await getProduct(id)).price;
} finally {
  redis.disconnect();
}
console.log(
  `graceful-degradation: ${requests.length} requests served, total=${total} ` +
    `(cache=${served.cache} source=${served.source} fallback=${served.fallback})`,
);
