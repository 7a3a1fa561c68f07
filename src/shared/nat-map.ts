/**
 * Address translation for nodes behind NAT, Docker or Kubernetes: the addresses a cluster
 * announces (CLUSTER SHARDS/SLOTS, MOVED, ASK) or a Sentinel names are not always the ones the
 * client can reach. Shared by the cluster client and Sentinel. `natMap` maps them: a table keyed by `"host:port"` as announced, or a
 * function. Addresses it does not name are used as announced.
 */

/** A host and port. */
export interface HostPort {
  /** Host name or IP address. */
  host: string;
  /** Port. */
  port: number;
}

/** `{ 'announced-host:port': { host, port } }`, or a function returning the reachable address (or undefined to keep it). */
export type NatMap =
  Readonly<Record<string, HostPort>> | ((announced: Readonly<HostPort>) => HostPort | undefined | null);

/** The address to connect to for an announced one. */
export function translateAddress(natMap: NatMap | undefined, host: string, port: number): HostPort {
  if (natMap === undefined) return { host, port };
  const key = `${host}:${port}`;
  const to =
    typeof natMap === 'function'
      ? natMap({ host, port })
      : Object.hasOwn(natMap, key)
        ? natMap[key]
        : undefined;
  return to === undefined || to === null ? { host, port } : { host: to.host, port: to.port };
}
