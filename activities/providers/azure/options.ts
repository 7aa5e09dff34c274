/**
 * Settings of the azure provider, from the worker's environment (the worker holds the Azure
 * credentials; workflows and their history never see any of this).
 */
import { join } from 'node:path';
import { UserError } from '../../../src/domain/errors';
import { envNumber } from '../../env-number';
import { repoRoot, stateDir } from '../../../src/domain/paths';

export interface AzureProviderOptions {
  /** `AZURE_SUBSCRIPTION_ID`: the subscription every resource of a cycle lives in. */
  subscriptionId?: string | undefined;
  /** Region when the manifest names none: `RCDEBUG_AZURE_LOCATION`. */
  location?: string | undefined;
  /** Resource group of the long-lived resources (gallery, storage, App Configuration): `RCDEBUG_AZURE_RESOURCE_GROUP`. */
  resourceGroup: string;
  /** Compute Gallery of the debug images: `RCDEBUG_AZURE_GALLERY`. */
  gallery: string;
  /** Blob endpoint of the storage account (`https://<account>.blob.core.windows.net`): `RCDEBUG_AZURE_STORAGE_URL`. */
  storageUrl?: string | undefined;
  /** A storage connection string instead of Entra ID (Azurite in tests): `RCDEBUG_AZURE_STORAGE_CONNECTION_STRING`. */
  storageConnectionString?: string | undefined;
  /** Container of kernel builds, logs and reports: `RCDEBUG_AZURE_CONTAINER`. */
  container: string;
  /** Container of the terraform state (azurerm backend, blob lease locking): `RCDEBUG_AZURE_TFSTATE_CONTAINER`. */
  stateContainer: string;
  /** Storage account name of the terraform state: `RCDEBUG_AZURE_STORAGE_ACCOUNT`, default the host's first label. */
  storageAccount?: string | undefined;
  /** App Configuration store endpoint (`https://<store>.azconfig.io`): `RCDEBUG_AZURE_APPCONFIG_ENDPOINT`. */
  appConfigEndpoint?: string | undefined;
  /** Resource Manager endpoint: `RCDEBUG_AZURE_ARM_ENDPOINT`, default `https://management.azure.com` (the stand-in in tests). */
  armEndpoint: string;
  /** Log Analytics query endpoint: `RCDEBUG_AZURE_LOGS_ENDPOINT`, default `https://api.loganalytics.io`. */
  logsEndpoint: string;
  /** A PEM file of CAs to trust besides the system's (a private endpoint; the stand-in's test CA): `RCDEBUG_AZURE_CA_FILE`. */
  caFile?: string | undefined;
  /**
   * Key Vault's challenge names the resource its tokens are for; the SDK checks it matches the
   * vault's host. Only the stand-in on 127.0.0.1 needs this off: `RCDEBUG_AZURE_VAULT_VERIFY_CHALLENGE=0`.
   */
  verifyVaultChallenge: boolean;
  /** Kubernetes version of both clusters: `RCDEBUG_AKS_VERSION`. */
  kubernetesVersion: string;
  /** Marketplace image `publisher:offer:sku:version` the builder and the nodes start from: `RCDEBUG_AZURE_SOURCE_IMAGE`. */
  sourceImage: string;
  /** VM size of the builder and the workload nodes: `RCDEBUG_AZURE_VM_SIZE`. */
  vmSize: string;
  packerDir: string;
  terraformDir: string;
  /** Local state: terraform data dirs per cycle, artifacts mirror; kubeconfigs never. */
  stateDir: string;
  /** How long cluster-provision waits for AKS and the scale set. */
  clusterWaitSeconds: number;
  /** Seconds between the two kmemleak scans of a double scan. */
  kmemleakWaitSeconds: number;
}

const K8S_VERSION = /^1\.\d+$/;
const IMAGE_URN = /^[^:\s]+:[^:\s]+:[^:\s]+:[^:\s]+$/;

/** Options from the environment, with `overrides` on top; bad values are refused naming the variable. */
export function azureProviderOptions(overrides: Partial<AzureProviderOptions> = {}): AzureProviderOptions {
  const env = process.env;
  const opts: AzureProviderOptions = {
    subscriptionId: env.AZURE_SUBSCRIPTION_ID || undefined,
    location: env.RCDEBUG_AZURE_LOCATION || undefined,
    resourceGroup: env.RCDEBUG_AZURE_RESOURCE_GROUP || 'rcdebug',
    gallery: env.RCDEBUG_AZURE_GALLERY || 'rcdebug_images',
    storageUrl: env.RCDEBUG_AZURE_STORAGE_URL || undefined,
    storageConnectionString: env.RCDEBUG_AZURE_STORAGE_CONNECTION_STRING || undefined,
    container: env.RCDEBUG_AZURE_CONTAINER || 'rcdebug',
    stateContainer: env.RCDEBUG_AZURE_TFSTATE_CONTAINER || 'tfstate',
    storageAccount: env.RCDEBUG_AZURE_STORAGE_ACCOUNT || undefined,
    appConfigEndpoint: env.RCDEBUG_AZURE_APPCONFIG_ENDPOINT || undefined,
    armEndpoint: env.RCDEBUG_AZURE_ARM_ENDPOINT || 'https://management.azure.com',
    logsEndpoint: env.RCDEBUG_AZURE_LOGS_ENDPOINT || 'https://api.loganalytics.io',
    caFile: env.RCDEBUG_AZURE_CA_FILE || undefined,
    verifyVaultChallenge: env.RCDEBUG_AZURE_VAULT_VERIFY_CHALLENGE !== '0',
    kubernetesVersion: env.RCDEBUG_AKS_VERSION || '1.33',
    sourceImage: env.RCDEBUG_AZURE_SOURCE_IMAGE || 'Canonical:ubuntu-24_04-lts:server:latest',
    vmSize: env.RCDEBUG_AZURE_VM_SIZE || 'Standard_D4s_v5',
    packerDir: join(repoRoot, 'packer', 'azure'),
    terraformDir: join(repoRoot, 'terraform', 'azure'),
    stateDir: join(stateDir(), 'azure'),
    clusterWaitSeconds: envNumber('RCDEBUG_AZURE_WAIT_SECONDS', 1800),
    kmemleakWaitSeconds: envNumber('RCDEBUG_KMEMLEAK_WAIT_SECONDS', 60),
    ...overrides,
  };
  if (!K8S_VERSION.test(opts.kubernetesVersion)) {
    throw new UserError(`RCDEBUG_AKS_VERSION ${JSON.stringify(opts.kubernetesVersion)} is not a Kubernetes major.minor such as 1.33`, 'RCDEBUG_AKS_VERSION');
  }
  if (!IMAGE_URN.test(opts.sourceImage)) {
    throw new UserError(`RCDEBUG_AZURE_SOURCE_IMAGE ${JSON.stringify(opts.sourceImage)} is not publisher:offer:sku:version`, 'RCDEBUG_AZURE_SOURCE_IMAGE');
  }
  for (const [name, url] of [['RCDEBUG_AZURE_ARM_ENDPOINT', opts.armEndpoint], ['RCDEBUG_AZURE_LOGS_ENDPOINT', opts.logsEndpoint], ['RCDEBUG_AZURE_STORAGE_URL', opts.storageUrl], ['RCDEBUG_AZURE_APPCONFIG_ENDPOINT', opts.appConfigEndpoint]] as const) {
    if (url !== undefined && !/^https?:\/\/[^\s/]+/.test(url)) throw new UserError(`${name} ${JSON.stringify(url)} is not a URL`, name);
  }
  return opts;
}

/** The subscription, or a UserError saying how to set it. */
export function requireSubscription(opts: AzureProviderOptions): string {
  if (!opts.subscriptionId || !/^[0-9a-fA-F-]{36}$/.test(opts.subscriptionId)) {
    throw new UserError(
      opts.subscriptionId ? `AZURE_SUBSCRIPTION_ID ${JSON.stringify(opts.subscriptionId)} is not a subscription id (a GUID)` : 'no Azure subscription: set AZURE_SUBSCRIPTION_ID on the azure worker (az account show --query id)',
      'AZURE_SUBSCRIPTION_ID',
    );
  }
  return opts.subscriptionId;
}

/** The App Configuration endpoint, or a UserError saying how to set it. */
export function requireAppConfig(opts: AzureProviderOptions): string {
  if (!opts.appConfigEndpoint) {
    throw new UserError('no App Configuration store: set RCDEBUG_AZURE_APPCONFIG_ENDPOINT on the azure worker (the registry of published images lives there)', 'RCDEBUG_AZURE_APPCONFIG_ENDPOINT');
  }
  return opts.appConfigEndpoint;
}
