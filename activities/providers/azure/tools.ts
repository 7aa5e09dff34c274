/**
 * Where packer, terraform (OpenTofu by default) and helm are: `$RCDEBUG_PACKER`,
 * `$RCDEBUG_TERRAFORM`, `$RCDEBUG_HELM` first (how the cycle test swaps in its recording
 * stand-ins), then the tool table of scripts/toolchain.mjs.
 */
import { accessSync, constants } from 'node:fs';
import { UserError } from '../../../src/domain/errors';
import { resolveTool } from '../../../scripts/toolchain.mjs';

export type AzureTool = 'packer' | 'terraform' | 'helm';

const ENV: Record<AzureTool, string> = { packer: 'RCDEBUG_PACKER', terraform: 'RCDEBUG_TERRAFORM', helm: 'RCDEBUG_HELM' };
const TABLE_NAME: Record<AzureTool, string> = { packer: 'packer', terraform: 'tofu', helm: 'helm' };

/** The executable of `tool`, or a UserError saying how to get it. */
export function toolPath(tool: AzureTool): string {
  const fromEnv = process.env[ENV[tool]];
  if (fromEnv) {
    try {
      accessSync(fromEnv, constants.X_OK);
      return fromEnv;
    } catch {
      throw new UserError(`$${ENV[tool]} is ${fromEnv}, which is not an executable: fix or unset it`, ENV[tool]);
    }
  }
  try {
    return resolveTool(TABLE_NAME[tool]).path;
  } catch (err) {
    throw new UserError(`${(err as Error).message}\n  (or set $${ENV[tool]})`, ENV[tool]);
  }
}
