/**
 * Where packer, terraform (OpenTofu by default) and helm are: `$RCDEBUG_PACKER`,
 * `$RCDEBUG_TERRAFORM`, `$RCDEBUG_HELM` first (how the cycle test swaps in its recording
 * stand-ins), then the tool table of scripts/toolchain.mjs (PATH, the rcdebug cache).
 */
import { toolFromEnvOrTable } from '../../exec/tool-path';

export type AwsTool = 'packer' | 'terraform' | 'helm';

const ENV: Record<AwsTool, string> = { packer: 'RCDEBUG_PACKER', terraform: 'RCDEBUG_TERRAFORM', helm: 'RCDEBUG_HELM' };
/** Names in the tool table: terraform is OpenTofu unless RCDEBUG_TERRAFORM says otherwise. */
const TABLE_NAME: Record<AwsTool, string> = { packer: 'packer', terraform: 'tofu', helm: 'helm' };

/** The executable of `tool`, or a UserError saying how to get it. */
export function toolPath(tool: AwsTool): string {
  return toolFromEnvOrTable(ENV[tool], TABLE_NAME[tool]);
}
