/**
 * Where packer, terraform (OpenTofu by default) and helm are, for every cloud's steps:
 * `$RCDEBUG_PACKER`, `$RCDEBUG_TERRAFORM`, `$RCDEBUG_HELM` first (how the cycle tests swap in
 * their recording stand-ins), then the tool table of scripts/toolchain.mjs (PATH, the cache).
 */
import { accessSync, constants } from 'node:fs';
import { UserError } from '../../src/domain/errors';
import { resolveTool } from '../../scripts/toolchain.mjs';

export type IacTool = 'packer' | 'terraform' | 'helm';

const ENV: Record<IacTool, string> = { packer: 'RCDEBUG_PACKER', terraform: 'RCDEBUG_TERRAFORM', helm: 'RCDEBUG_HELM' };
/** Names in the tool table: terraform is OpenTofu unless RCDEBUG_TERRAFORM says otherwise. */
const TABLE_NAME: Record<IacTool, string> = { packer: 'packer', terraform: 'tofu', helm: 'helm' };

/** The executable of `tool`, or a UserError saying how to get it. */
export function toolPath(tool: IacTool): string {
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
