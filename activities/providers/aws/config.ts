/**
 * One AWS configuration for every client rcdebug makes: region from the input or `AWS_REGION`,
 * endpoint from `AWS_ENDPOINT_URL` (moto in tests and the dry rehearsal), credentials from the
 * SDK's default provider chain. Missing region or credentials are refused before any call.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { UserError } from '../../../src/domain/errors';
import { AWS_REGION } from './names';

/** What every AWS client shares. */
export interface AwsConfig {
  region: string;
  /** A custom endpoint for every service (moto), or undefined for AWS itself. */
  endpoint?: string | undefined;
  /** Overrides the default provider chain (tests). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined;
  /**
   * Attempts of the SDK's own retry (standard mode, with backoff). Kept modest: the activity's
   * retry policy is the real one, and a step must not hide minutes of retries from its heartbeat.
   */
  maxAttempts?: number | undefined;
}

/** The clients of one region. */
export interface AwsClients {
  config: AwsConfig;
  ssm: SSMClient;
  ec2: EC2Client;
  eks: EKSClient;
  s3: S3Client;
  logs: CloudWatchLogsClient;
  /** Resolved credentials (throws a UserError when the chain finds none). */
  credentials(): Promise<AwsCredentialIdentity>;
  destroy(): void;
}

/**
 * The AWS configuration for a region given by the input, else `AWS_REGION`/`AWS_DEFAULT_REGION`.
 * Throws a UserError when there is no region or it is not a region code.
 */
export function resolveAwsConfig(opts: { region?: string | undefined; endpoint?: string | undefined; field?: string } = {}): AwsConfig {
  const region = opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const field = opts.field ?? 'AWS_REGION';
  if (!region) {
    throw new UserError('no AWS region: set AWS_REGION (e.g. eu-west-1) or clusterRegion in the manifest', field, 'export AWS_REGION=<region>');
  }
  if (!AWS_REGION.test(region)) {
    throw new UserError(`${JSON.stringify(region)} is not an AWS region code such as eu-west-1`, field);
  }
  const endpoint = opts.endpoint ?? (process.env.AWS_ENDPOINT_URL || undefined);
  if (endpoint !== undefined) {
    try {
      new URL(endpoint);
    } catch {
      throw new UserError(`AWS_ENDPOINT_URL ${JSON.stringify(endpoint)} is not a URL: unset it for AWS, or give http://host:port of the emulator`, 'AWS_ENDPOINT_URL');
    }
  }
  return { region, endpoint, maxAttempts: 3 };
}

/** Creates the clients of one configuration. They share the credential resolution. */
export function awsClients(config: AwsConfig): AwsClients {
  const common = {
    region: config.region,
    maxAttempts: config.maxAttempts ?? 3,
    retryMode: 'standard',
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
  };
  const ssm = new SSMClient(common);
  const ec2 = new EC2Client(common);
  const eks = new EKSClient(common);
  // Path-style addressing: emulators do not resolve bucket sub-domains.
  const s3 = new S3Client({ ...common, forcePathStyle: Boolean(config.endpoint) });
  const logs = new CloudWatchLogsClient(common);
  return {
    config,
    ssm,
    ec2,
    eks,
    s3,
    logs,
    async credentials() {
      try {
        return await ssm.config.credentials();
      } catch (err) {
        throw new UserError(
          `no AWS credentials found (${(err as Error).message.split('\n')[0]}): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, on the worker that runs the aws activities`,
          'AWS credentials',
          'aws configure, or export AWS_PROFILE=<profile>',
        );
      }
    },
    destroy() {
      for (const c of [ssm, ec2, eks, s3, logs]) c.destroy();
    },
  };
}

/** Resolves the configuration, creates the clients and checks credentials: the preflight of every aws step. */
export async function connectAws(opts: { region?: string | undefined; endpoint?: string | undefined; field?: string } = {}): Promise<AwsClients> {
  const clients = awsClients(resolveAwsConfig(opts));
  try {
    await clients.credentials();
  } catch (err) {
    clients.destroy();
    throw err;
  }
  return clients;
}
