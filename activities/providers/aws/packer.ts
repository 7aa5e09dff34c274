import { InfraError } from '../../../src/domain/errors';

/** The packer variables the aws kernel build and image bake share: where, for whom, from what. */
export function commonPackerVars(v: { region: string; bucket: string; flavor: string; digest: string; cycleId: string; rc: string; kubernetesVersion: string; sourceAmi: string }): Record<string, string> {
  return {
    region: v.region,
    bucket: v.bucket,
    flavor: v.flavor,
    digest: v.digest,
    cycle_id: v.cycleId,
    rc: v.rc,
    k8s_version: v.kubernetesVersion,
    source_ami: v.sourceAmi,
  };
}

/** Splits an amazon-ebs artifact id `region:ami-...` (several regions: comma separated). */
export function amiFromArtifactId(artifactId: string, region: string): string {
  for (const pair of artifactId.split(',')) {
    const [r, ami] = pair.split(':');
    if (r === region && ami?.startsWith('ami-')) return ami;
  }
  throw new InfraError(`the Packer artifact ${artifactId} has no AMI in ${region}`);
}
