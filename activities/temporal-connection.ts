import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { UnreachableError, UserError } from '../src/domain/errors';

/**
 * Connection settings from the standard Temporal environment variables, so the same worker
 * and CLI run against the embedded dev server, a self-hosted cluster or Temporal Cloud.
 */
export interface TemporalSettings {
  address: string;
  namespace: string;
  apiKey?: string | undefined;
  tls?: { clientCertPair?: { crt: Buffer; key: Buffer }; serverRootCACertificate?: Buffer; serverNameOverride?: string } | undefined;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const address = env.TEMPORAL_ADDRESS || '127.0.0.1:7233';
  const namespace = env.TEMPORAL_NAMESPACE || 'default';
  const apiKey = env.TEMPORAL_API_KEY || undefined;
  const certPath = env.TEMPORAL_TLS_CLIENT_CERT_PATH;
  const keyPath = env.TEMPORAL_TLS_CLIENT_KEY_PATH;
  const caPath = env.TEMPORAL_TLS_SERVER_CA_CERT_PATH;
  const read = (name: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new UserError(`${name}=${path} cannot be read: ${(err as Error).message}`, name, 'fix the path or unset the variable');
    }
  };
  if (Boolean(certPath) !== Boolean(keyPath)) {
    throw new UserError('set both TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH, or neither', 'TEMPORAL_TLS_CLIENT_CERT_PATH');
  }
  const wantsTls = Boolean(certPath || caPath || apiKey || env.TEMPORAL_TLS === 'true');
  const tls = wantsTls
    ? {
        ...(certPath && keyPath
          ? { clientCertPair: { crt: read('TEMPORAL_TLS_CLIENT_CERT_PATH', certPath), key: read('TEMPORAL_TLS_CLIENT_KEY_PATH', keyPath) } }
          : {}),
        ...(caPath ? { serverRootCACertificate: read('TEMPORAL_TLS_SERVER_CA_CERT_PATH', caPath) } : {}),
        ...(env.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME } : {}),
      }
    : undefined;
  return { address, namespace, apiKey, tls };
}

function connectionOptions(s: TemporalSettings) {
  return { address: s.address, tls: s.tls, apiKey: s.apiKey, ...(s.apiKey ? { metadata: { 'temporal-namespace': s.namespace } } : {}) };
}

/** A client connection; a server that does not answer becomes an error that says what to run. */
export async function connectClient(s: TemporalSettings = settingsFromEnv()): Promise<Client> {
  try {
    const connection = await Connection.connect({ ...connectionOptions(s), connectTimeout: 5_000 });
    return new Client({ connection, namespace: s.namespace });
  } catch (err) {
    throw new UnreachableError(
      `cannot reach Temporal at ${s.address}: ${(err as Error).message}`,
      'TEMPORAL_ADDRESS',
      'start one with `rcdebug dev`, or set TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE, TEMPORAL_API_KEY or TLS paths)',
    );
  }
}

/** A worker connection (native, Rust core). */
export async function connectWorker(s: TemporalSettings = settingsFromEnv()): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(connectionOptions(s));
  } catch (err) {
    throw new UnreachableError(`cannot reach Temporal at ${s.address}: ${(err as Error).message}`, 'TEMPORAL_ADDRESS', 'start one with `rcdebug dev`, or set TEMPORAL_ADDRESS');
  }
}
