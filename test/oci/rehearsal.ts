/**
 * The dry rehearsal of the oci cloud for tests: the OCI API stand-in (an HTTP stand-in, not
 * OCI) with a fresh test API key, the recording stand-ins of packer/terraform/helm on the tool
 * variables, a manifest in a temp folder, and the environment put back afterwards.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StepContext } from '../../src/domain/contract';
import { startStandinWithKey } from '../fixtures/oci-standins/oci-api-standin.mjs';
import { CHARTS, rehearsalContext, rehearsalFolder, rehearsalManifest, standinCalls, standinEnv, swapEnv, type StandinCall as Call } from '../support/rehearsal';

export { CHARTS };

export type StandinCall = Call<{ hasOkeToken?: boolean }>;

type Api = Awaited<ReturnType<typeof startStandinWithKey>>['api'];

export interface OciRehearsal {
  api: Api;
  dir: string;
  manifest: string;
  stateDir: string;
  env: Record<string, string>;
  calls(): StandinCall[];
  close(): Promise<void>;
}


export const MANIFEST = rehearsalManifest('eu-frankfurt-1');

export async function startOciRehearsal(): Promise<OciRehearsal> {
  const { dir, manifest, kernelLog } = rehearsalFolder('oci', 'eu-frankfurt-1');
  const { api, env: standin } = await startStandinWithKey(join(dir, 'key'));
  const env: Record<string, string> = {
    ...standin,
    ...standinEnv(dir, kernelLog),
  };
  const restoreEnv = swapEnv(env);
  return {
    api,
    dir,
    manifest,
    stateDir: join(dir, 'state', 'oci'),
    env,
    calls: () => standinCalls(env.RCDEBUG_STANDIN_LOG!),
    async close() {
      restoreEnv();
      await api.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function ociStepContext(r: OciRehearsal, cycleId: string, patch: Partial<StepContext> = {}): StepContext {
  return rehearsalContext('oci', r.manifest, cycleId, patch);
}
