/**
 * The dry rehearsal of the azure cloud for tests: Azurite (Blob Storage, real emulator) behind
 * a fault proxy, the management-plane STAND-IN over TLS with its test CA, seeded with what
 * docs/azure.md has an operator create once (resource group, gallery, image definitions,
 * containers), the recording stand-ins of packer/terraform/helm on the tool variables, a
 * manifest in a temp folder, and the environment put back afterwards.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import { BlobServiceClient } from '@azure/storage-blob';
import { azureClients, type AzureClients } from '../../activities/providers/azure/config';
import { createAzureProvider } from '../../activities/providers/azure/index';
import { azureProviderOptions } from '../../activities/providers/azure/options';
import type { CloudProvider, StepContext } from '../../src/domain/contract';
import { repoRoot } from '../../src/domain/paths';
import { STANDIN_CA, startArmStandin } from '../fixtures/azure-standins/arm-standin.mjs';
import { azuriteConnectionString, startAzurite, type Azurite } from '../support/azurite';
import { startFaultProxy, type FaultProxy } from '../support/moto';
import { CHARTS, recordingIO, rehearsalContext, rehearsalFolder, rehearsalManifest, standinCalls, standinEnv, swapEnv, type StandinCall as Call } from '../support/rehearsal';

export { CHARTS, recordingIO };

export const SUBSCRIPTION = '00000000-0000-4000-8000-000000000001';
const standins = join(repoRoot, 'test', 'fixtures', 'azure-standins');

export const MANIFEST = rehearsalManifest('westeurope');

/** A credential that hands the stand-in a token (the stand-in checks there is one, and refuses `expired`). */
export function standinCredential(token = 'standin-token', expiresInMs = 3_600_000): TokenCredential {
  return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + expiresInMs }) };
}

export type StandinCall = Call<{ hasToken?: boolean; cluster?: string }>;

export type ArmStandin = Awaited<ReturnType<typeof startArmStandin>>;

export interface Rehearsal {
  azurite: Azurite;
  /** Fault proxy in front of Azurite: the provider's Blob traffic goes through it. */
  blobProxy: FaultProxy;
  arm: ArmStandin;
  dir: string;
  manifest: string;
  stateDir: string;
  env: Record<string, string>;
  /** Clients straight to the stand-in and Azurite, for the tests' own checks. */
  clients: AzureClients;
  /** The provider from its real factory, the stand-in credential, short polls. */
  provider(patch?: { credential?: TokenCredential }): CloudProvider;
  calls(): StandinCall[];
  close(): Promise<void>;
}

export async function startRehearsal(): Promise<Rehearsal> {
  const { dir, manifest, kernelLog } = rehearsalFolder('azure', 'westeurope');
  const azurite = await startAzurite();
  // Nothing started may outlive a failed start.
  let blobProxy: FaultProxy | undefined;
  let arm: ArmStandin | undefined;
  try {
    blobProxy = await startFaultProxy(azurite.blobEndpoint.replace(/\/devstoreaccount1$/, ''));
    arm = await startArmStandin({ blobEndpoint: azurite.blobEndpoint });
    return await assemble(dir, manifest, kernelLog, azurite, blobProxy, arm);
  } catch (err) {
    await arm?.stop();
    await blobProxy?.stop();
    await azurite.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

async function assemble(dir: string, manifest: string, kernelLog: string, azurite: Azurite, blobProxy: FaultProxy, arm: ArmStandin): Promise<Rehearsal> {
  const direct = BlobServiceClient.fromConnectionString(azurite.connectionString);
  for (const c of ['rcdebug', 'tfstate']) await direct.getContainerClient(c).createIfNotExists();
  const env: Record<string, string> = {
    AZURE_SUBSCRIPTION_ID: SUBSCRIPTION,
    RCDEBUG_AZURE_ARM_ENDPOINT: arm.endpoint,
    RCDEBUG_AZURE_LOGS_ENDPOINT: arm.endpoint,
    RCDEBUG_AZURE_APPCONFIG_ENDPOINT: arm.endpoint,
    RCDEBUG_AZURE_CA_FILE: STANDIN_CA,
    RCDEBUG_AZURE_VAULT_VERIFY_CHALLENGE: '0',
    RCDEBUG_AZURE_STORAGE_CONNECTION_STRING: azuriteConnectionString(`${blobProxy.endpoint}/devstoreaccount1`),
    RCDEBUG_AZURE_STORAGE_ACCOUNT: 'devstoreaccount1',
    RCDEBUG_AZURE_LOCATION: 'westeurope',
    NODE_EXTRA_CA_CERTS: STANDIN_CA,
    RCDEBUG_PACKER: join(standins, 'packer-standin'),
    RCDEBUG_TERRAFORM: join(standins, 'terraform-standin'),
    RCDEBUG_HELM: join(standins, 'helm-standin'),
    RCDEBUG_STANDIN_LOG: join(dir, 'standin', 'calls.jsonl'),
    ...standinEnv(dir, kernelLog),
  };
  const restoreEnv = swapEnv(env);
  const stateDir = join(dir, 'state', 'azure');
  const clients = azureClients(azureProviderOptions({ storageConnectionString: azurite.connectionString, stateDir }), { credential: standinCredential(), pollMs: 20 });
  // What an operator creates once (docs/azure.md): the shared resource group, the gallery and an image definition per flavor.
  const rg = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rcdebug`;
  const put = (path: string, body: unknown) => arm.put(path, body);
  await put(rg, { location: 'westeurope' });
  await put(`${rg}/providers/Microsoft.Compute/galleries/rcdebug_images`, { location: 'westeurope' });
  for (const flavor of ['kasan', 'kcsan']) {
    await put(`${rg}/providers/Microsoft.Compute/galleries/rcdebug_images/images/rcdebug-${flavor}`, { location: 'westeurope', properties: { osType: 'Linux', osState: 'Generalized', hyperVGeneration: 'V2', securityType: 'Standard', identifier: { publisher: 'rcdebug', offer: 'debug-kernel', sku: flavor } } });
  }
  return {
    azurite,
    blobProxy,
    arm,
    dir,
    manifest,
    stateDir,
    env,
    clients,
    provider: (patch = {}) => createAzureProvider({
      connect: async (o) => azureClients(o, { credential: patch.credential ?? standinCredential(), pollMs: 20, maxRetries: 2 }),
      pollMs: 50,
      options: { stateDir, kmemleakWaitSeconds: 1, clusterWaitSeconds: 30 },
    }),
    calls: () => standinCalls(env.RCDEBUG_STANDIN_LOG!),
    async close() {
      restoreEnv();
      await arm.stop();
      await blobProxy.stop();
      await azurite.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function stepContext(r: Rehearsal, cycleId: string, patch: Partial<StepContext> = {}): StepContext {
  return rehearsalContext('azure', r.manifest, cycleId, patch);
}
