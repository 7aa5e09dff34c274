/**
 * One validateMain run: one cloud × flavor, from the cached debug kernel to the report, the
 * node torn down whatever happens (cancellation included).
 */
import { CancellationScope } from '@temporalio/workflow';
import type { CloudName, Flavor, StepContext } from '../../src/domain/contract';
import type { ModuleCheckout, NodeBootOutput, ValidateInput, ValidateRunResult, ValidateState } from '../../src/domain/validate';
import { testActivities, validateActivities } from './proxies';

/** The step context the cloud's steps get: a run is a one-node cycle without a manifest or soak. */
export function runContext(id: string, input: ValidateInput, checkout: ModuleCheckout, cloud: CloudName, flavor: Flavor): StepContext {
  return {
    cycleId: `${id}.${cloud}-${flavor}`,
    rc: `validate-${checkout.commit.slice(0, 12)}`,
    cloud,
    flavor,
    module: checkout.module,
    manifest: '',
    baseline: input.baseline,
    soak: { durationSeconds: 0, checkIntervalSeconds: 1, scanIntervalSeconds: 0 },
  };
}

/** Runs the steps of one cloud × flavor and returns its report. */
export async function validateRun(id: string, input: ValidateInput, first: ModuleCheckout, cloud: CloudName, flavor: Flavor, track: ValidateState['runs'][number]): Promise<ValidateRunResult> {
  const on = (profile: 'quick' | 'toolRun' | 'teardown', step?: 'kernel-build' | 'image-bake') => validateActivities(input, cloud, profile, step);
  // The module is checked out again (at the recorded commit) on the worker that builds it.
  track.step = 'module-checkout';
  const checkout = (await on('toolRun', 'image-bake').moduleCheckout({ repo: first.repo, ref: first.commit })).output;
  const ctx = runContext(id, input, { ...checkout, ref: first.ref }, cloud, flavor);
  track.step = 'kernel-build';
  const kernel = (await on('toolRun', 'kernel-build').kernelBuild({ ctx })).output;
  track.step = 'image-bake';
  const image = (await on('toolRun', 'image-bake').imageBake({ ctx, kernel })).output;
  let node: NodeBootOutput | undefined;
  try {
    track.step = 'node-boot';
    node = (await on('toolRun').nodeBoot({ ctx, kernel, image })).output;
    track.step = 'node-test';
    const test = (await testActivities(input, cloud).nodeTest({ ctx, kernel, node, moduleParams: input.moduleParams, testCommand: input.testCommand, timeoutSeconds: input.testTimeoutSeconds })).output;
    track.step = 'report';
    const report = { ctx, checkout: { ...checkout, ref: first.ref }, kernel, image, node, test, kunitSuites: input.kunitSuites, testCommand: input.testCommand, moduleParams: input.moduleParams, timeoutSeconds: input.testTimeoutSeconds };
    return (await on('toolRun').nodeReport(report)).output;
  } finally {
    // Never left running: not on failure, not on cancel.
    await CancellationScope.nonCancellable(() => on('teardown').nodeTeardown({ ctx, node }));
    track.step = 'done';
  }
}
