import { connectAzure, type AzureClients, type ConnectOptions } from './config';
import type { AzureProviderOptions } from './options';

/** What the azure provider's steps need; tests hand in their own. */
export interface AzureDeps {
  options: AzureProviderOptions;
  /** Clients of the subscription, credentials checked (UserError when there are none). */
  connect(options: AzureProviderOptions): Promise<AzureClients>;
  /** Milliseconds between status polls (tests shorten it). */
  pollMs?: number | undefined;
}

/** Connects with the SDK's default credential chain. */
export function defaultConnect(options: AzureProviderOptions, c: ConnectOptions = {}): Promise<AzureClients> {
  return connectAzure(options, c);
}
