import { connectGcp, type GcpClients } from './config';
import type { GcpProviderOptions } from './options';
import { requireProject } from './options';

/** What the gcp provider's steps need; tests hand in their own. */
export interface GcpDeps {
  options: GcpProviderOptions;
  /** Clients of the project, credentials checked (UserError when there are none). */
  connect(opts: GcpProviderOptions): Promise<GcpClients>;
  /** Milliseconds between status polls (tests shorten it). */
  pollMs?: number | undefined;
}

/** Connects with the worker's credentials to Google, or to the emulator and stand-in the options name. */
export function defaultConnect(opts: GcpProviderOptions): Promise<GcpClients> {
  return connectGcp({ project: requireProject(opts), apiEndpoint: opts.apiEndpoint, storageEndpoint: opts.storageEndpoint });
}
