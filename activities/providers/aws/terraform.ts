/**
 * terraform/aws for a cycle: the shared per-cycle driver of activities/iac/terraform.ts with
 * the s3 backend's partial config (state in the bucket, one workspace per cycle, S3 lock file)
 * and AWS's words for credentials that cannot act.
 */
import type { StepIO } from '../../../src/domain/contract';
import { UserError } from '../../../src/domain/errors';
import { terraformFor as cycleTerraform, type TerraformRun } from '../../iac/terraform';
import type { AwsProviderOptions } from './options';

export { destroyWorkspace, readVars, selectWorkspace, terraformOutputs, writeVars, type TerraformRun } from '../../iac/terraform';

export interface TerraformVars {
  cycle_id: string;
  rc: string;
  flavor: string;
  region: string;
  debug_ami_id: string;
  k8s_version: string;
  cp_cluster_name: string;
  workload_cluster_name: string;
}

/** Terraform state bucket: RCDEBUG_TF_STATE_BUCKET, else the artifacts bucket. */
function stateBucket(opts: AwsProviderOptions): string {
  const b = opts.stateBucket ?? opts.bucket;
  if (!b) throw new UserError('no terraform state bucket: set RCDEBUG_TF_STATE_BUCKET (or RCDEBUG_AWS_BUCKET) on the aws worker', 'RCDEBUG_TF_STATE_BUCKET');
  return b;
}

/** Terraform for a cycle; `init` is run with the s3 backend's partial config. */
export async function terraformFor(cycleId: string, region: string, opts: AwsProviderOptions, io: StepIO): Promise<TerraformRun> {
  return cycleTerraform(
    {
      cycleId,
      terraformDir: opts.terraformDir,
      stateDir: opts.stateDir,
      backendConfig: [
        `-backend-config=bucket=${stateBucket(opts)}`,
        '-backend-config=key=rcdebug/aws.tfstate',
        `-backend-config=region=${region}`,
        '-backend-config=workspace_key_prefix=cycles',
        '-backend-config=encrypt=true',
        '-backend-config=use_lockfile=true',
      ],
      credentials: {
        pattern: /AccessDenied|UnauthorizedOperation|ExpiredToken|InvalidClientTokenId|no valid credential sources/,
        field: 'AWS credentials',
        hint: "refresh or fix the worker's AWS credentials and retry the step",
      },
    },
    io,
  );
}
