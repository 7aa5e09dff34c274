/**
 * The Google clients of one project: Cloud Storage, Compute Engine (its REST transport),
 * GKE, Secret Manager and Cloud Logging, with credentials from Application Default
 * Credentials (or GOOGLE_OAUTH_ACCESS_TOKEN). With RCDEBUG_GCP_API_ENDPOINT every management
 * client talks HTTP/1 REST to that endpoint (the HTTP stand-in of the tests and the dry
 * rehearsal); with RCDEBUG_GCS_ENDPOINT Cloud Storage talks to fake-gcs-server.
 */
import { ImagesClient, InstanceGroupManagersClient, InstancesClient, MachineTypesClient, ZoneOperationsClient, GlobalOperationsClient } from '@google-cloud/compute';
import { ClusterManagerClient } from '@google-cloud/container';
import { v2 as loggingV2 } from '@google-cloud/logging';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { Storage } from '@google-cloud/storage';
import { GoogleAuth, OAuth2Client, type AuthClient } from 'google-auth-library';
import { UserError } from '../../../src/domain/errors';
import { classifyGcpError } from './errors';
import { storageAuthClient } from './storage-auth';

/** Cloud Logging's generated client (the package exports it untyped). */
export interface LoggingClient {
  listLogEntries(req: { resourceNames: string[]; filter?: string; pageSize?: number; pageToken?: string; orderBy?: string }, opts?: { autoPaginate: boolean }): Promise<[Array<{ textPayload?: string | null; jsonPayload?: unknown; resource?: { labels?: Record<string, string> } | null; labels?: Record<string, string> | null; logName?: string | null }>, unknown, { nextPageToken?: string | null } | undefined]>;
  close(): Promise<void>;
}

export interface GcpClients {
  project: string;
  auth: AuthClient;
  storage: Storage;
  images: ImagesClient;
  instances: InstancesClient;
  machineTypes: MachineTypesClient;
  groups: InstanceGroupManagersClient;
  zoneOps: ZoneOperationsClient;
  globalOps: GlobalOperationsClient;
  container: ClusterManagerClient;
  secrets: SecretManagerServiceClient;
  logging: LoggingClient;
  /** An OAuth access token of the worker's identity (GKE kubeconfigs). */
  accessToken(): Promise<string>;
  close(): Promise<void>;
}

export interface GcpConnectOptions {
  project: string;
  apiEndpoint?: string | undefined;
  storageEndpoint?: string | undefined;
  /** Overrides the credentials (tests). */
  authClient?: AuthClient | undefined;
}

/** The worker's credentials: GOOGLE_OAUTH_ACCESS_TOKEN when set, else Application Default Credentials. */
async function defaultAuth(): Promise<AuthClient> {
  const token = process.env.GOOGLE_OAUTH_ACCESS_TOKEN;
  if (token) {
    const c = new OAuth2Client();
    c.setCredentials({ access_token: token });
    return c;
  }
  try {
    return await new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] }).getClient();
  } catch (err) {
    throw classifyGcpError(err, 'Application Default Credentials');
  }
}

/** Options of a generated client: Google's endpoint, or REST over plain HTTP to the stand-in. */
type ClientOptions = NonNullable<ConstructorParameters<typeof ImagesClient>[0]>;

function clientOptions(o: GcpConnectOptions, auth: AuthClient): ClientOptions {
  const base: ClientOptions = { authClient: auth, fallback: true, projectId: o.project };
  if (!o.apiEndpoint) return base;
  const u = new URL(o.apiEndpoint);
  return { ...base, apiEndpoint: u.hostname, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)), protocol: u.protocol.replace(':', '') } as ClientOptions;
}

/** Creates the clients of a project and checks that the credentials give a token. */
export async function connectGcp(o: GcpConnectOptions): Promise<GcpClients> {
  const auth = o.authClient ?? (await defaultAuth());
  const accessToken = async () => {
    try {
      const t = await auth.getAccessToken();
      if (!t.token) throw new Error('the credentials gave no access token');
      return t.token;
    } catch (err) {
      throw new UserError(
        `no usable Google credentials (${(err as Error).message.split('\n')[0]}): run \`gcloud auth application-default login\`, set GOOGLE_APPLICATION_CREDENTIALS, or refresh GOOGLE_OAUTH_ACCESS_TOKEN on the gcp worker`,
        'Google credentials',
      );
    }
  };
  await accessToken();
  const opts = clientOptions(o, auth);
  const storage = new Storage({
    projectId: o.project,
    ...(o.storageEndpoint ? { apiEndpoint: o.storageEndpoint } : { authClient: storageAuthClient(auth) }),
    // The client's own retries of idempotent (and precondition-guarded) calls on 429/5xx, kept modest.
    retryOptions: { autoRetry: true, maxRetries: 2, retryDelayMultiplier: 2, totalTimeout: 60, maxRetryDelay: 4 },
  });
  const c = {
    images: new ImagesClient(opts),
    instances: new InstancesClient(opts),
    machineTypes: new MachineTypesClient(opts),
    groups: new InstanceGroupManagersClient(opts),
    zoneOps: new ZoneOperationsClient(opts),
    globalOps: new GlobalOperationsClient(opts),
    container: new ClusterManagerClient(opts),
    secrets: new SecretManagerServiceClient(opts),
    logging: new loggingV2.LoggingServiceV2Client(opts) as LoggingClient,
  };
  return {
    project: o.project,
    auth,
    storage,
    ...c,
    accessToken,
    async close() {
      await Promise.all(Object.values(c).map((x) => x.close().catch(() => undefined)));
    },
  };
}
