/**
 * The OCI SDK clients of one worker: one API key (./credentials.ts), one region, optionally one
 * endpoint for every service (the HTTP stand-in of the tests and the dry rehearsal). The SDK's
 * own retry is bounded to three attempts on 429/5xx and its circuit breaker is off: the
 * activity's retry policy is the real one, and a step must not hide minutes from its heartbeat.
 */
import * as common from 'oci-common';
import { ComputeInstanceAgentClient } from 'oci-computeinstanceagent';
import { ContainerEngineClient } from 'oci-containerengine';
import { ComputeClient } from 'oci-core';
import { LogSearchClient } from 'oci-loggingsearch';
import { ObjectStorageClient } from 'oci-objectstorage';
import { UserError } from '../../../src/domain/errors';
import { resolveOciCredentials, type OciCredentials } from './credentials';

export interface OciClients {
  credentials: OciCredentials;
  auth: common.SimpleAuthenticationDetailsProvider;
  compute: ComputeClient;
  containerEngine: ContainerEngineClient;
  objectStorage: ObjectStorageClient;
  agent: ComputeInstanceAgentClient;
  logSearch: LogSearchClient;
  close(): void;
}

common.CircuitBreaker.EnableGlobalCircuitBreaker = false;

/** Retries the SDK makes itself: throttling and 5xx, three attempts, short backoff. */
export const SDK_RETRY: common.RetryConfiguration = {
  terminationStrategy: new common.MaxAttemptsTerminationStrategy(3),
  delayStrategy: new common.ExponentialBackoffDelayStrategy(2),
  retryCondition: (e: common.OciError) => e.statusCode === 429 || e.statusCode >= 500 || e.statusCode === -1,
};

function regionOf(id: string): common.Region {
  try {
    return common.Region.fromRegionId(id);
  } catch {
    throw new UserError(`OCI_CLI_REGION ${id} is not a region the OCI SDK knows`, 'OCI_CLI_REGION');
  }
}

/** Clients of the worker's key; `endpoint` (the stand-in) replaces every service endpoint. */
export function ociClients(opts: { endpoint?: string | undefined; credentials?: OciCredentials | undefined; keyFile?: string | undefined } = {}): OciClients {
  const credentials = opts.credentials ?? resolveOciCredentials(opts.keyFile ? { ...process.env, OCI_CLI_KEY_FILE: opts.keyFile } : process.env);
  const auth = new common.SimpleAuthenticationDetailsProvider(
    credentials.tenancy, credentials.user, credentials.fingerprint, credentials.privateKeyPem, credentials.passphrase ?? null, regionOf(credentials.region),
  );
  const params = { authenticationDetailsProvider: auth };
  const config = { retryConfiguration: SDK_RETRY };
  const compute = new ComputeClient(params, config);
  const containerEngine = new ContainerEngineClient(params, config);
  const objectStorage = new ObjectStorageClient(params, config);
  const agent = new ComputeInstanceAgentClient(params, config);
  const logSearch = new LogSearchClient(params, config);
  const all = [compute, containerEngine, objectStorage, agent, logSearch];
  if (opts.endpoint) {
    try {
      new URL(opts.endpoint);
    } catch {
      throw new UserError(`RCDEBUG_OCI_ENDPOINT ${JSON.stringify(opts.endpoint)} is not a URL: unset it for OCI, or give http://host:port of the stand-in`, 'RCDEBUG_OCI_ENDPOINT');
    }
    for (const c of all) c.endpoint = opts.endpoint;
  }
  return { credentials, auth, compute, containerEngine, objectStorage, agent, logSearch, close: () => all.forEach((c) => c.close()) };
}
