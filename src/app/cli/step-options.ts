/** The worker's step options: which steps it serves and how many build steps at once. */
import { UserError } from '../../domain/errors';
import { BUILD_STEPS, type BuildStep } from '../../domain/task-queues';
import { intOption } from './options';

export type ServedStep = BuildStep | 'rest';
const SERVED: readonly ServedStep[] = [...BUILD_STEPS, 'rest'];

/** `--steps kernel-build,image-bake` (a builder), `rest` (everything else), `all`. */
export function parseSteps(value: string): ServedStep[] | undefined {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 1 && names[0] === 'all') return undefined;
  const bad = names.filter((n) => !(SERVED as readonly string[]).includes(n));
  if (names.length === 0 || bad.length) {
    throw new UserError(
      `--steps: ${bad.length ? `unknown ${bad.map((b) => `"${b}"`).join(', ')}` : 'empty'}; use all, or a list of ${SERVED.join(', ')} ` +
        '(the other steps share one queue, so `rest` serves them together)',
      '--steps',
    );
  }
  return names as ServedStep[];
}

/** `--step-concurrency kernel-build=1,image-bake=2`. */
export function parseStepConcurrency(value: string): Partial<Record<BuildStep, number>> {
  const out: Partial<Record<BuildStep, number>> = {};
  for (const pair of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [step, n] = pair.split('=');
    if (!step || n === undefined || !(BUILD_STEPS as readonly string[]).includes(step)) {
      throw new UserError(`--step-concurrency: "${pair}" is not <step>=<n> with a step of ${BUILD_STEPS.join(', ')}`, '--step-concurrency');
    }
    out[step as BuildStep] = intOption(n, `--step-concurrency ${step}`, 1, 1000);
  }
  return out;
}
