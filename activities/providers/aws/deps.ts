import { awsClients, resolveAwsConfig, type AwsClients } from '../../../src/aws/config';
import type { AwsProviderOptions } from './options';

/** What the aws provider's steps need; tests hand in their own. */
export interface AwsDeps {
  options: AwsProviderOptions;
  /** Clients of a region, credentials checked (UserError when there are none). */
  connect(region: string): Promise<AwsClients>;
  /** Milliseconds between EKS/SSM status polls (tests shorten it). */
  pollMs?: number | undefined;
}

/** Connects with the default provider chain and `AWS_ENDPOINT_URL`. */
export async function defaultConnect(region: string): Promise<AwsClients> {
  const clients = awsClients(resolveAwsConfig({ region, field: 'clusterRegion' }));
  try {
    await clients.credentials();
  } catch (err) {
    clients.destroy();
    throw err;
  }
  return clients;
}
