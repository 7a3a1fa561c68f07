/**
 * TLS material for tests, generated with openssl at test time (never checked in), and
 * TLS redis-servers that use it. One set of certificates per process, removed at exit.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { promisify } from 'node:util';
import {
  startRedis,
  type RedisServerHandle,
  type RedisServerOptions,
  type ServerTlsConfig,
} from './redis-server.js';

const run = promisify(execFile);

/** Generated certificates: file paths for redis-server, PEM strings for node:tls. */
export interface TlsMaterial {
  readonly dir: string;
  readonly caFile: string;
  /** PEM of the CA that signed the server and client certificates. */
  readonly ca: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** Client certificate and key PEM (for `tls-auth-clients yes`). */
  readonly clientCert: string;
  readonly clientKey: string;
  /** PEM of an unrelated CA that signed nothing here: verification against it must fail. */
  readonly otherCa: string;
}

const CONF = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
`;

// Replication and the cluster bus reuse the server certificate as a client one: both EKUs.
const SERVER_EXT = `basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
authorityKeyIdentifier = keyid
`;

const CLIENT_EXT = `basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
`;

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function generate(): Promise<TlsMaterial> {
  const dir = mkdtempSync(join(tmpdir(), 'wredis-tls-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const f = (name: string) => join(dir, name);
  writeFileSync(f('openssl.cnf'), CONF);
  writeFileSync(f('server.ext'), SERVER_EXT);
  writeFileSync(f('client.ext'), CLIENT_EXT);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir, timeout: 20_000 });
  const selfSigned = (name: string, cn: string) =>
    openssl(
      'req',
      '-x509',
      '-new',
      ...EC,
      '-keyout',
      f(`${name}.key`),
      '-out',
      f(`${name}.crt`),
      '-days',
      '3',
      '-subj',
      `/CN=${cn}`,
      '-config',
      f('openssl.cnf'),
      '-extensions',
      'v3_ca',
    );
  const leaf = async (name: string, cn: string, serial: number) => {
    await openssl(
      'req',
      '-new',
      ...EC,
      '-keyout',
      f(`${name}.key`),
      '-out',
      f(`${name}.csr`),
      '-subj',
      `/CN=${cn}`,
      '-config',
      f('openssl.cnf'),
    );
    await openssl(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      '-set_serial',
      String(serial),
      '-days',
      '3',
      '-out',
      f(`${name}.crt`),
      '-extfile',
      f(`${name}.ext`),
    );
  };
  await Promise.all([selfSigned('ca', 'wredis test CA'), selfSigned('other-ca', 'wredis unrelated CA')]);
  await Promise.all([leaf('server', 'localhost', 1001), leaf('client', 'wredis-test-client', 1002)]);
  const pem = (name: string) => readFileSync(f(name), 'utf8');
  return {
    dir,
    caFile: f('ca.crt'),
    ca: pem('ca.crt'),
    serverCertFile: f('server.crt'),
    serverKeyFile: f('server.key'),
    clientCertFile: f('client.crt'),
    clientKeyFile: f('client.key'),
    clientCert: pem('client.crt'),
    clientKey: pem('client.key'),
    otherCa: pem('other-ca.crt'),
  };
}

let cached: Promise<TlsMaterial> | undefined;

/** The process's TLS material, generated on first use (about 0.1 s). */
export function tlsMaterial(): Promise<TlsMaterial> {
  cached ??= generate().catch((e: unknown) => {
    cached = undefined;
    throw e;
  });
  return cached;
}

export type TlsAuthClients = 'no' | 'optional' | 'yes';

/**
 * node:tls options that verify the server (CA; hostname check against the 127.0.0.1 IP SAN)
 * and present the client certificate when `withClientCert`.
 */
export function clientTlsOptions(m: TlsMaterial, withClientCert: boolean): TlsConnectionOptions {
  return withClientCert ? { ca: m.ca, cert: m.clientCert, key: m.clientKey } : { ca: m.ca };
}

/** The `tls` option of `startRedis` for this material. */
export function serverTlsConfig(m: TlsMaterial, authClients: TlsAuthClients = 'no'): ServerTlsConfig {
  return {
    certFile: m.serverCertFile,
    keyFile: m.serverKeyFile,
    caFile: m.caFile,
    authClients,
    client: clientTlsOptions(m, authClients !== 'no'),
  };
}

export interface TlsRedisOptions extends Omit<RedisServerOptions, 'tls'> {
  /** `--tls-auth-clients`; default `'no'`. */
  authClients?: TlsAuthClients;
}

export interface TlsRedisHandle extends RedisServerHandle {
  readonly material: TlsMaterial;
}

/**
 * A redis-server speaking only TLS (`--port 0 --tls-port <free>`), ready once a TLS
 * PING verified against the CA succeeds. `handle.tls` holds client options for it.
 */
export async function startTlsRedis(options: TlsRedisOptions = {}): Promise<TlsRedisHandle> {
  const material = await tlsMaterial();
  const { authClients, ...rest } = options;
  const server = await startRedis({ ...rest, tls: serverTlsConfig(material, authClients ?? 'no') });
  return Object.assign(server, { material });
}
