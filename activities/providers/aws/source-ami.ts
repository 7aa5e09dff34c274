import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { AwsClients } from './config';
import { aws, awsErrorCode, classifyAwsError } from './errors';
import { UserError } from '../../../src/domain/errors';
import type { AwsProviderOptions } from './options';

/** AWS's public parameter of the EKS-optimized AL2023 AMI of a Kubernetes version. */
export function eksAmiParameter(opts: Pick<AwsProviderOptions, 'publicParameterRoot' | 'kubernetesVersion'>): string {
  return `${opts.publicParameterRoot}/eks/optimized-ami/${opts.kubernetesVersion}/amazon-linux-2023/x86_64/standard/recommended/image_id`;
}

/**
 * The AMI the build and the bake start from, checked to exist: a version without an EKS AMI,
 * or an AMI gone from the region, is the user's to fix.
 */
export async function resolveSourceAmi(clients: AwsClients, opts: AwsProviderOptions): Promise<string> {
  const name = eksAmiParameter(opts);
  let ami: string | undefined;
  try {
    ami = (await clients.ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
  } catch (err) {
    if (awsErrorCode(err) === 'ParameterNotFound') {
      throw new UserError(
        `there is no EKS-optimized AL2023 AMI for Kubernetes ${opts.kubernetesVersion} in ${clients.config.region} (${name} does not exist): set RCDEBUG_EKS_VERSION to a version EKS supports`,
        'RCDEBUG_EKS_VERSION',
      );
    }
    throw classifyAwsError(err, `SSM GetParameter ${name}`);
  }
  if (!ami?.startsWith('ami-')) throw new UserError(`${name} holds ${JSON.stringify(ami)}, not an AMI id`, 'RCDEBUG_EKS_VERSION');
  await requireImage(clients, ami, `the source AMI of ${name}`);
  return ami;
}

/** Checks that an AMI exists and is available; returns its tags. */
export async function requireImage(clients: AwsClients, imageId: string, what: string): Promise<Record<string, string>> {
  const res = await aws(`EC2 DescribeImages ${imageId}`, () => clients.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] })));
  const image = res.Images?.[0];
  if (!image) throw new UserError(`${what} ${imageId} does not exist in ${clients.config.region}: check the region, or that it was not deregistered`, 'imageId');
  if (image.State && image.State !== 'available') throw new UserError(`${what} ${imageId} is ${image.State}, not available`, 'imageId');
  return Object.fromEntries((image.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}
