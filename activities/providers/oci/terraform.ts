/**
 * terraform/oci per cycle through the shared driver (activities/iac/terraform.ts): state in
 * Object Storage through its S3-compatible endpoint (the s3 backend, a Customer Secret Key in
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), one workspace per cycle, and what in the oci
 * provider's output is the user's fault.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepIO } from '../../../src/domain/contract';
import { UserError } from '../../../src/domain/errors';
import { terraformFor, type TerraformRun } from '../../iac/terraform';
import type { OciProviderOptions } from './options';

export interface OciTerraformVars {
  cycle_id: string;
  rc: string;
  flavor: string;
  region: string;
  tenancy_ocid: string;
  user_ocid: string;
  fingerprint: string;
  private_key_path: string;
  compartment_ocid: string;
  availability_domain: string;
  node_shape: string;
  debug_image_ocid: string;
  k8s_version: string;
  cp_cluster_name: string;
  workload_cluster_name: string;
}

/** The s3 backend settings of OCI's S3-compatible endpoint (no secrets: those come from the environment). */
export function backendConfig(o: { namespace: string; region: string; bucket: string }): string {
  return [
    `bucket = "${o.bucket}"`,
    'key = "rcdebug/oci.tfstate"',
    'workspace_key_prefix = "cycles"',
    `region = "${o.region}"`,
    `endpoints = { s3 = "https://${o.namespace}.compat.objectstorage.${o.region}.oraclecloud.com" }`,
    'skip_region_validation = true',
    'skip_credentials_validation = true',
    'skip_requesting_account_id = true',
    'skip_metadata_api_check = true',
    'skip_s3_checksum = true',
    'use_path_style = true',
    '',
  ].join('\n');
}

/** Terraform for a cycle, initialised against the state bucket through a backend file in its data dir. */
export async function ociTerraform(cycleId: string, o: { namespace: string; region: string }, opts: OciProviderOptions, io: StepIO): Promise<TerraformRun> {
  const bucket = opts.stateBucket ?? opts.bucket;
  if (!bucket) throw new UserError('no terraform state bucket: set RCDEBUG_OCI_TF_STATE_BUCKET (or RCDEBUG_OCI_BUCKET) on the oci worker', 'RCDEBUG_OCI_TF_STATE_BUCKET');
  if (!process.env.AWS_ACCESS_KEY_ID || !process.env.AWS_SECRET_ACCESS_KEY) {
    throw new UserError('terraform keeps its state in Object Storage through the S3-compatible API: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to a Customer Secret Key of the worker user (docs/oci.md)', 'AWS_ACCESS_KEY_ID');
  }
  return terraformFor(
    {
      cycleId,
      terraformDir: opts.terraformDir,
      stateDir: opts.stateDir,
      async backendConfig(dataDir) {
        const backendFile = join(dataDir, 'oci.s3.tfbackend');
        await writeFile(backendFile, backendConfig({ ...o, bucket }));
        return [`-backend-config=${backendFile}`];
      },
      credentials: [
        {
          pattern: /NotAuthenticated|NotAuthorizedOrNotFound|401-NotAuthenticated|404-NotAuthorizedOrNotFound|can not create client, bad configuration/,
          field: 'OCI_CLI_USER',
          hint: 'check the API key and terraform/oci/worker-policy.txt, then retry the step',
        },
        {
          pattern: /InvalidAccessKeyId|SignatureDoesNotMatch/,
          field: 'AWS_ACCESS_KEY_ID',
          hint: 'set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY to a Customer Secret Key of the worker user (docs/oci.md)',
        },
      ],
    },
    io,
  );
}
