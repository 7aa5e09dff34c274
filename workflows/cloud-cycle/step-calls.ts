/** What each main step calls, with the outputs of the earlier steps it needs. */
import { ApplicationFailure } from '@temporalio/workflow';
import type { MainStep, StepOutputs, StepResult } from '../../src/domain/contract';
import { USER_ERROR } from '../../src/domain/errors';
import { activitiesFor, type Cycle } from './cycle';
import { runSoak } from './soak-loop';

/** The output of an earlier step; a step that was skipped or not reused cannot feed a later one. */
export function need<S extends MainStep>(c: Cycle, step: S): StepOutputs[S] {
  const out = c.outputs[step];
  if (out === undefined) {
    throw ApplicationFailure.nonRetryable(`the output of "${step}" is missing: it was skipped or not reused; rerun from "${step}"`, USER_ERROR);
  }
  return out as StepOutputs[S];
}

type StepCall<S extends MainStep> = (c: Cycle) => Promise<StepResult<StepOutputs[S]>>;

const CALLS: { [S in MainStep]: StepCall<S> } = {
  'kernel-build': async (c) => activitiesFor(c, 'kernel-build').kernelBuild({ ctx: c.ctx }),
  'image-bake': async (c) => activitiesFor(c, 'image-bake').imageBake({ ctx: c.ctx, kernel: need(c, 'kernel-build') }),
  'version-publish': async (c) => activitiesFor(c, 'version-publish').versionPublish({ ctx: c.ctx, kernel: need(c, 'kernel-build'), image: need(c, 'image-bake') }),
  'cluster-provision': async (c) => activitiesFor(c, 'cluster-provision').clusterProvision({ ctx: c.ctx, kernel: need(c, 'kernel-build'), image: need(c, 'image-bake') }),
  deploy: async (c) => activitiesFor(c, 'deploy').deploy({ ctx: c.ctx, cluster: need(c, 'cluster-provision') }),
  soak: async (c) => runSoak(c, need(c, 'cluster-provision')),
  'log-harvest': async (c) => {
    // A skipped step leaves a gap: the harvest reads what there is.
    const { 'kernel-build': kernel, 'image-bake': image, 'cluster-provision': cluster, soak } = c.outputs;
    return activitiesFor(c, 'log-harvest').logHarvest({ ctx: c.ctx, kernel, image, cluster, soak });
  },
};

/** Runs one main step's activity (or the soak loop) and returns its output and attempt. */
export function callStep<S extends MainStep>(c: Cycle, step: S): Promise<StepResult<StepOutputs[S]>> {
  return (CALLS[step] as StepCall<S>)(c);
}
