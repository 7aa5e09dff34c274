/**
 * One Azure connection for every client rcdebug makes: the subscription and endpoints from
 * the options, credentials from the SDK's default chain (environment, workload or managed
 * identity, Azure CLI) unless a test hands its own. Credentials are checked by asking for a
 * Resource Manager token before any call, so missing or expired ones are refused up front.
 */
import { readFileSync } from 'node:fs';
import { AppConfigurationClient } from '@azure/app-configuration';
import { ComputeManagementClient } from '@azure/arm-compute';
import { ContainerServiceClient } from '@azure/arm-containerservice';
import { ResourceManagementClient } from '@azure/arm-resources';
import type { TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { LogsQueryClient } from '@azure/monitor-query';
import { BlobServiceClient } from '@azure/storage-blob';
import { UserError } from '../../../src/domain/errors';
import { classifyAzureError } from './errors';
import type { AzureProviderOptions } from './options';
import { requireSubscription } from './options';

/** The clients of one subscription. */
export interface AzureClients {
  subscriptionId: string;
  credential: TokenCredential;
  compute: ComputeManagementClient;
  aks: ContainerServiceClient;
  /** Resource groups (the janitor). */
  resources: ResourceManagementClient;
  logs: LogsQueryClient;
  /** The artifacts' storage account, or undefined when none is configured (artifacts stay local). */
  blob: BlobServiceClient | undefined;
  /** The registry's App Configuration store, or undefined when none is configured. */
  appConfig: AppConfigurationClient | undefined;
  /** A Key Vault client for `vaultUrl` (from terraform's outputs). */
  vault(vaultUrl: string): SecretClient;
  /** Milliseconds between long-running-operation polls. */
  pollMs: number;
}

/** What `connectAzure` needs besides the options. */
export interface ConnectOptions {
  credential?: TokenCredential | undefined;
  /** SDK-level retries of one call (429 with Retry-After, 5xx); the activity's retry is the real one. */
  maxRetries?: number | undefined;
  pollMs?: number | undefined;
}

const ARM_SCOPE = 'https://management.azure.com/.default';

/** Client options every SDK pipeline shares: bounded retries, the extra CA when one is configured. */
function pipelineOptions(opts: AzureProviderOptions, maxRetries: number) {
  let ca: string | undefined;
  if (opts.caFile) {
    try {
      ca = readFileSync(opts.caFile, 'utf8');
    } catch (err) {
      throw new UserError(`RCDEBUG_AZURE_CA_FILE ${opts.caFile} cannot be read: ${(err as Error).message}`, 'RCDEBUG_AZURE_CA_FILE');
    }
  }
  return {
    retryOptions: { maxRetries, retryDelayInMs: 200, maxRetryDelayInMs: 5_000 },
    ...(ca ? { tlsOptions: { ca } } : {}),
  };
}

/** Creates the clients; throws a UserError for a missing subscription or an unreadable CA. */
export function azureClients(opts: AzureProviderOptions, c: ConnectOptions = {}): AzureClients {
  const subscriptionId = requireSubscription(opts);
  const credential = c.credential ?? new DefaultAzureCredential();
  const common = pipelineOptions(opts, c.maxRetries ?? 2);
  const arm = { ...common, endpoint: opts.armEndpoint, credentials: { scopes: [ARM_SCOPE] } };
  let blob: BlobServiceClient | undefined;
  if (opts.storageConnectionString) blob = BlobServiceClient.fromConnectionString(opts.storageConnectionString, { retryOptions: { maxTries: (c.maxRetries ?? 2) + 1, retryDelayInMs: 200 } });
  else if (opts.storageUrl) blob = new BlobServiceClient(opts.storageUrl, credential, { retryOptions: { maxTries: (c.maxRetries ?? 2) + 1 } });
  return {
    subscriptionId,
    credential,
    compute: new ComputeManagementClient(credential, subscriptionId, arm),
    aks: new ContainerServiceClient(credential, subscriptionId, arm),
    resources: new ResourceManagementClient(credential, subscriptionId, { ...common, endpoint: opts.armEndpoint, credentialScopes: [ARM_SCOPE] }),
    logs: new LogsQueryClient(credential, { ...common, endpoint: opts.logsEndpoint }),
    blob,
    appConfig: opts.appConfigEndpoint ? new AppConfigurationClient(opts.appConfigEndpoint, credential, common) : undefined,
    vault: (vaultUrl) => new SecretClient(vaultUrl, credential, { ...common, disableChallengeResourceVerification: !opts.verifyVaultChallenge }),
    pollMs: c.pollMs ?? 5_000,
  };
}

/** Creates the clients and checks the credentials: the preflight of every azure step. */
export async function connectAzure(opts: AzureProviderOptions, c: ConnectOptions = {}): Promise<AzureClients> {
  const clients = azureClients(opts, c);
  try {
    const token = await clients.credential.getToken(ARM_SCOPE);
    if (!token) throw new UserError('the Azure credential gave no token: az login, or set AZURE_CLIENT_ID/AZURE_CLIENT_SECRET/AZURE_TENANT_ID', 'Azure credentials');
    if (token.expiresOnTimestamp < Date.now()) {
      throw new UserError('the Azure token has expired: refresh the worker\'s credentials (az login) and retry the step', 'Azure credentials');
    }
  } catch (err) {
    throw classifyAzureError(err, 'Azure sign-in');
  }
  return clients;
}
