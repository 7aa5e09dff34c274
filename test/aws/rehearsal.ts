/**
 * The dry rehearsal of the aws cloud for tests: a moto server, seeded (bucket, the public EKS
 * AMI parameter), the recording stand-ins of packer/terraform/helm on the tool variables, a
 * manifest in a temp folder, and the environment put back afterwards.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StepContext } from '../../src/domain/contract';
import { seedMoto } from '../fixtures/aws-standins/seed-moto.mjs';
import { startFaultProxy, startMoto, type FaultProxy, type Moto } from '../support/moto';
import { CHARTS, recordingIO, rehearsalContext, rehearsalFolder, rehearsalManifest, standinCalls, standinEnv, swapEnv, type StandinCall as Call } from '../support/rehearsal';

export { CHARTS, recordingIO };

export type StandinCall = Call<{ hasEksToken?: boolean }>;

export interface Rehearsal {
  moto: Moto;
  proxy: FaultProxy;
  dir: string;
  manifest: string;
  stateDir: string;
  sourceAmi: string;
  bucket: string;
  env: Record<string, string>;
  /** What the stand-ins were called with, in order. */
  calls(): StandinCall[];
  close(): Promise<void>;
}

export const MANIFEST = rehearsalManifest('eu-west-1');

export async function startRehearsal(): Promise<Rehearsal> {
  const { dir, manifest, kernelLog } = rehearsalFolder('aws', 'eu-west-1');
  const moto = await startMoto();
  const proxy = await startFaultProxy(moto.endpoint);
  const bucket = 'rcdebug-test';
  const seeded = await seedMoto({ endpoint: moto.endpoint, bucket, logDir: dir });
  const env: Record<string, string> = {
    ...seeded.env,
    ...standinEnv(dir, kernelLog),
  };
  const restoreEnv = swapEnv(env);
  return {
    moto,
    proxy,
    dir,
    manifest,
    stateDir: join(dir, 'state', 'aws'),
    sourceAmi: seeded.sourceAmi,
    bucket,
    env,
    calls: () => standinCalls<StandinCall>(env.RCDEBUG_STANDIN_LOG!),
    async close() {
      restoreEnv();
      await proxy.stop();
      await moto.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function stepContext(r: Rehearsal, cycleId: string, patch: Partial<StepContext> = {}): StepContext {
  return rehearsalContext('aws', r.manifest, cycleId, patch);
}
