import type { CloudName, CloudProvider } from '../src/domain/contract';
import { UserError } from '../src/domain/errors';

/** The provider modules, by cloud: the module path and the factory it exports. */
const PROVIDERS: Partial<Record<CloudName, { module: string; factory: string }>> = {
  local: { module: './providers/local/index.ts', factory: 'createLocalProvider' },
  aws: { module: './providers/aws/index.ts', factory: 'createAwsProvider' },
};

/** Clouds this build of rcdebug can run activities for. */
export function supportedClouds(): CloudName[] {
  return Object.keys(PROVIDERS) as CloudName[];
}

/**
 * Loads a cloud's provider. Providers are imported lazily so a worker for `local` never loads
 * the AWS SDK, and a worker without cloud credentials never needs them.
 */
export async function loadProvider(cloud: CloudName): Promise<CloudProvider> {
  const entry = PROVIDERS[cloud];
  if (!entry) {
    throw new UserError(
      `the ${cloud} cloud has no provider yet; run a worker with --clouds ${supportedClouds().join(',')}`,
      'clouds',
    );
  }
  const mod = (await import(/* @vite-ignore */ entry.module)) as Record<string, (() => CloudProvider) | undefined>;
  const factory = mod[entry.factory];
  if (!factory) throw new Error(`${entry.module} does not export ${entry.factory}`);
  return factory();
}
