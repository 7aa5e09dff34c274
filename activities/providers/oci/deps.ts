import { ociClients, type OciClients } from './clients';
import type { OciProviderOptions } from './options';

/** What the oci provider's steps need; tests hand in their own. */
export interface OciDeps {
  options: OciProviderOptions;
  /** Clients with the worker's API key checked (UserError naming the field when it is wrong). */
  connect(): OciClients;
  /** Milliseconds between work request, console history and Run Command polls. */
  pollMs?: number | undefined;
}

/** The worker's key from OCI_CLI_* or ~/.oci/config; `RCDEBUG_OCI_ENDPOINT` replaces every service endpoint. */
export function defaultConnect(options: OciProviderOptions): () => OciClients {
  return () => ociClients({ endpoint: options.endpoint });
}
