/**
 * terraform/gcp for a cycle: the shared per-cycle driver of activities/iac/terraform.ts with
 * the gcs backend (state in the bucket, its native locking) and Google's words for
 * credentials that cannot act.
 */
import type { StepIO } from '../../../src/domain/contract';
import { UserError } from '../../../src/domain/errors';
import { terraformFor, type TerraformRun } from '../../iac/terraform';
import type { GcpProviderOptions } from './options';

export { destroyWorkspace, readVars, selectWorkspace, terraformOutputs, writeVars, type TerraformRun } from '../../iac/terraform';

/** The stack's variables (terraform/gcp/variables.tf). */
export interface GcpTerraformVars {
  project_id: string;
  region: string;
  zone: string;
  cycle_id: string;
  cycle_label: string;
  rc_label: string;
  flavor: string;
  debug_image: string;
  machine_type: string;
  k8s_version: string;
  cp_cluster_name: string;
  workload_cluster_name: string;
}

/** Terraform for a cycle; `init` runs with the gcs backend's partial config. */
export async function gcpTerraform(cycleId: string, opts: GcpProviderOptions, io: StepIO): Promise<TerraformRun> {
  const bucket = opts.stateBucket ?? opts.bucket;
  if (!bucket) throw new UserError('no terraform state bucket: set RCDEBUG_TF_STATE_BUCKET (or RCDEBUG_GCS_BUCKET) on the gcp worker', 'RCDEBUG_TF_STATE_BUCKET');
  return terraformFor(
    {
      cycleId,
      terraformDir: opts.terraformDir,
      stateDir: opts.stateDir,
      backendConfig: [`-backend-config=bucket=${bucket}`, '-backend-config=prefix=rcdebug/gcp'],
      credentials: {
        pattern: /Error 403|PERMISSION_DENIED|Error 401|invalid_grant|could not find default credentials/i,
        field: 'Google credentials',
        hint: 'grant the role in terraform/gcp/worker-role.yaml or refresh the credentials, then retry the step',
      },
    },
    io,
  );
}
