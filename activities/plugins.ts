/**
 * The plugins of the clouds in CLOUDS, found by folder: `./providers/<cloud>/plugin.ts`
 * exports `plugin`. Loading one imports only that small module; a plugin imports its cloud's
 * SDK when a provider is created, so a worker for one cloud never loads another's SDK.
 */
import { CLOUDS, type CloudName } from '../src/domain/contract';
import { UserError } from '../src/domain/errors';
import type { CloudPlugin } from './plugin';

/** Clouds this build of rcdebug has a plugin for. */
export function supportedClouds(): CloudName[] {
  return [...CLOUDS];
}

/** Whether `name` is a cloud this build has a plugin for. */
export function isCloud(name: string): name is CloudName {
  return (CLOUDS as readonly string[]).includes(name);
}

/** A comma-separated list of clouds given on the command line; a UserError naming `flag` for one with no plugin. */
export function parseClouds(value: string | undefined, flag = '--clouds'): CloudName[] {
  const list = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((c) => !isCloud(c));
  if (bad.length) throw new UserError(`${flag}: unknown cloud ${bad.map((b) => `"${b}"`).join(', ')}; this rcdebug has plugins for ${CLOUDS.join(', ')}`, flag);
  return list as CloudName[];
}

const loaded = new Map<CloudName, Promise<CloudPlugin>>();

async function importPlugin(cloud: CloudName): Promise<CloudPlugin> {
  const path = `./providers/${cloud}/plugin.ts`;
  const mod = (await import(/* @vite-ignore */ path)) as { plugin?: CloudPlugin };
  if (!mod.plugin || mod.plugin.cloud !== cloud) throw new Error(`${path} must export \`plugin\`, the CloudPlugin of ${cloud}`);
  return mod.plugin;
}

/** The plugin of one cloud; a UserError naming `field` when the build has none. */
export async function loadPlugin(cloud: string, field = 'clouds'): Promise<CloudPlugin> {
  if (!isCloud(cloud)) {
    throw new UserError(`${field}: no plugin for the cloud "${cloud}"; this rcdebug has ${CLOUDS.join(', ')}`, field, `use one of ${CLOUDS.join(', ')}`);
  }
  let p = loaded.get(cloud);
  if (!p) {
    p = importPlugin(cloud);
    loaded.set(cloud, p);
  }
  return p;
}

/** The plugins of the given clouds (default: every cloud this build has). */
export async function loadPlugins(clouds: readonly string[] = CLOUDS): Promise<CloudPlugin[]> {
  return Promise.all(clouds.map((c) => loadPlugin(c)));
}
