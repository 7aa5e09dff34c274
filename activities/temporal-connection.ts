import { readFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
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

/**
 * What went wrong connecting, from the gRPC status and the message of the failure: the error
 * names the setting to fix. A refused certificate or key and a namespace that does not exist
 * are the user's to fix (exit 2); a server that does not answer may come back (exit 10).
 */
export function connectionProblem(s: TemporalSettings, err: unknown): UserError {
  const msg = (err as Error)?.message ?? String(err);
  const code = (err as { code?: number })?.code;
  const at = `Temporal at ${s.address}`;
  if (code === 5 || /namespace .*not found|NamespaceNotFound/i.test(msg)) {
    return new UserError(`${at} has no namespace "${s.namespace}": ${msg}`, 'TEMPORAL_NAMESPACE', 'set TEMPORAL_NAMESPACE to an existing namespace (`temporal operator namespace list`)');
  }
  if (s.apiKey && (code === 16 || code === 7 || /unauthenticated|permission denied|api key/i.test(msg))) {
    return new UserError(`${at} refused the API key for namespace "${s.namespace}": ${msg}`, 'TEMPORAL_API_KEY', 'use an API key of the account that owns the namespace, not expired');
  }
  if (/certificate|handshake|tls|ssl|x509|alert/i.test(msg) || code === 16) {
    return new UserError(
      `${at} refused the TLS connection (certificate expired, from another CA, or for another name): ${msg}`,
      'TEMPORAL_TLS_CLIENT_CERT_PATH',
      'use a client certificate the server\'s CA signed and a TEMPORAL_TLS_SERVER_CA_CERT_PATH / TEMPORAL_TLS_SERVER_NAME that match the server\'s',
    );
  }
  return new UnreachableError(
    `cannot reach ${at}: ${msg}`,
    'TEMPORAL_ADDRESS',
    'start one with `rcdebug dev`, or set TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE, TEMPORAL_API_KEY or TLS paths)',
  );
}

/**
 * The TLS handshake's own error with these settings, when TCP connects but TLS fails; undefined
 * when nothing answers or the handshake succeeds. gRPC reports a refused certificate only as
 * "failed to connect": this tells it apart from a server that is down.
 */
export async function tlsHandshakeError(s: TemporalSettings, timeoutMs = 3_000): Promise<string | undefined> {
  if (!s.tls) return undefined;
  const [host, port] = [s.address.slice(0, s.address.lastIndexOf(':')), Number(s.address.slice(s.address.lastIndexOf(':') + 1))];
  return new Promise((resolve) => {
    let connected = false;
    const socket = tlsConnect({
      host,
      port,
      servername: s.tls?.serverNameOverride ?? (/^[\d.]+$/.test(host) ? undefined : host),
      ca: s.tls?.serverRootCACertificate,
      cert: s.tls?.clientCertPair?.crt,
      key: s.tls?.clientCertPair?.key,
      ALPNProtocols: ['h2'],
    });
    const done = (v: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(v);
    };
    // With TLS 1.3 the server refuses a client certificate after the client's side is done:
    // wait a moment for its alert.
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.once('connect', () => (connected = true));
    socket.once('secureConnect', () => setTimeout(() => done(undefined), 500));
    socket.once('error', (err) => done(connected || !/ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|ENOTFOUND/.test(err.message) ? err.message : undefined));
  });
}

/** connectionProblem, with the TLS handshake's own error when gRPC only says it could not connect. */
async function explain(s: TemporalSettings, err: unknown): Promise<UserError> {
  const problem = connectionProblem(s, err);
  if (!(problem instanceof UnreachableError)) return problem;
  const tlsError = await tlsHandshakeError(s);
  return tlsError ? connectionProblem(s, new Error(`TLS handshake failed: ${tlsError}`)) : problem;
}

/** A client connection, checked against the namespace; a failure says which setting is wrong. */
export async function connectClient(s: TemporalSettings = settingsFromEnv()): Promise<Client> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ ...connectionOptions(s), connectTimeout: 5_000 });
    await connection.workflowService.describeNamespace({ namespace: s.namespace });
    return new Client({ connection, namespace: s.namespace });
  } catch (err) {
    await connection?.close().catch(() => undefined);
    throw await explain(s, err);
  }
}

/** A worker connection (native, Rust core); a failure says which setting is wrong. */
export async function connectWorker(s: TemporalSettings = settingsFromEnv()): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(connectionOptions(s));
  } catch (err) {
    throw await explain(s, err);
  }
}

/**
 * Runs `connect` until it succeeds, retrying with backoff (1 s doubling to 15 s) while the
 * server does not answer, for up to `waitSeconds`: a worker started before its server (compose,
 * a rolling restart) waits for it. A wrong setting fails at once.
 */
export async function retryUnreachable<T>(connect: () => Promise<T>, waitSeconds: number, log: (line: string) => void): Promise<T> {
  const deadline = Date.now() + waitSeconds * 1000;
  for (let delay = 1_000; ; delay = Math.min(delay * 2, 15_000)) {
    try {
      return await connect();
    } catch (err) {
      if (!(err instanceof UnreachableError) || Date.now() + delay > deadline) throw err;
      log(`${err.message}; trying again in ${delay / 1000} s`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
