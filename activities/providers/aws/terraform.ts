/**
 * terraform/aws per cycle through the shared runner of activities/exec/terraform.ts: the s3
 * backend's partial config on `init`, and what in terraform's output is the AWS user's fault.
 */
import { join } from 'node:path';
import type { StepIO } from '../../../src/domain/contract';
import { UserError } from '../../../src/domain/errors';
import { terraformRun, type TerraformRun } from '../../exec/terraform';
import type { AwsProviderOptions } from './options';
import { safeName } from './step-context';
import { toolPath } from './tools';

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
export function terraformFor(cycleId: string, region: string, opts: AwsProviderOptions, io: StepIO): Promise<TerraformRun> {
  const bucket = stateBucket(opts);
  return terraformRun({
    cmd: toolPath('terraform'),
    stackDir: opts.terraformDir,
    dataDir: join(opts.stateDir, safeName(cycleId), 'terraform'),
    workspace: safeName(cycleId),
    io,
    classify: classifyTerraform,
    initArgs: [
      `-backend-config=bucket=${bucket}`,
      '-backend-config=key=rcdebug/aws.tfstate',
      `-backend-config=region=${region}`,
      '-backend-config=workspace_key_prefix=cycles',
      '-backend-config=encrypt=true',
      '-backend-config=use_lockfile=true',
    ],
  });
}

/** Errors in terraform's output that are the user's: bad values, denied access, missing things. */
function classifyTerraform(f: { tail: string[] }): Error | undefined {
  const text = f.tail.join('\n');
  if (/Invalid value for variable|Unsupported argument|Missing required argument|No value for required variable/.test(text)) {
    return new UserError(`terraform refused its input:\n${f.tail.slice(-12).join('\n')}`, 'terraform variables');
  }
  if (/AccessDenied|UnauthorizedOperation|ExpiredToken|InvalidClientTokenId|no valid credential sources/.test(text)) {
    return new UserError(`terraform could not act with these AWS credentials:\n${f.tail.slice(-12).join('\n')}`, 'AWS credentials', 'refresh or fix the worker\'s AWS credentials and retry the step');
  }
  return undefined;
}

export { readVars, selectWorkspace, terraformOutputs, writeVars, type TerraformRun } from '../../exec/terraform';
