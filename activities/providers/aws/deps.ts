import { connectAws, type AwsClients } from './config';
import type { AwsProviderOptions } from './options';

/** What the aws provider's steps need; tests hand in their own. */
export interface AwsDeps {
  options: AwsProviderOptions;
  /** Clients of a region, credentials checked (UserError when there are none). */
  connect(region: string): Promise<AwsClients>;
  /** Milliseconds between EKS/SSM status polls (tests shorten it). */
  pollMs?: number | undefined;
}

/** Connects with the default provider chain and `AWS_ENDPOINT_URL`; the region comes from the manifest. */
export function defaultConnect(region: string): Promise<AwsClients> {
  return connectAws({ region, field: 'clusterRegion' });
}
