/**
 * rcdebug's task queues. Workflows poll `<base>`; a cloud's activities poll `<base>-<cloud>`,
 * except the heavy build steps, which each have a queue of their own, `<base>-<cloud>-<step>`,
 * so a builder host can serve them alone with its own concurrency limit.
 */
import type { CloudName, StepName } from './contract';

/** Steps served from a queue of their own (a builder host may take just these). */
export const BUILD_STEPS = ['kernel-build', 'image-bake'] as const satisfies readonly StepName[];
export type BuildStep = (typeof BUILD_STEPS)[number];

export function isBuildStep(step: StepName): step is BuildStep {
  return (BUILD_STEPS as readonly StepName[]).includes(step);
}

/** The queue of a cloud's activities (every step but the build steps, the preflight, ...). */
export function cloudQueue(base: string, cloud: CloudName): string {
  return `${base}-${cloud}`;
}

/** The queue a step's activity is scheduled on. */
export function stepQueue(base: string, cloud: CloudName, step: StepName): string {
  return isBuildStep(step) ? `${cloudQueue(base, cloud)}-${step}` : cloudQueue(base, cloud);
}
