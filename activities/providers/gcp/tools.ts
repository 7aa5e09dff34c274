/**
 * Where packer, terraform (OpenTofu by default) and helm are: `$RCDEBUG_PACKER`,
 * `$RCDEBUG_TERRAFORM`, `$RCDEBUG_HELM` first (how the cycle test swaps in its recording
 * stand-ins), then the tool table of scripts/toolchain.mjs.
 */
import { accessSync, constants } from 'node:fs';
import { UserError } from '../../../src/domain/errors';
import { resolveTool } from '../../../scripts/toolchain.mjs';

export type GcpTool = 'packer' | 'terraform' | 'helm';

const TOOLS: Record<GcpTool, { env: string; table: string }> = {
  packer: { env: 'RCDEBUG_PACKER', table: 'packer' },
  terraform: { env: 'RCDEBUG_TERRAFORM', table: 'tofu' },
  helm: { env: 'RCDEBUG_HELM', table: 'helm' },
};

/** The executable of `tool`, or a UserError saying how to get it. */
export function toolPath(tool: GcpTool): string {
  const { env, table } = TOOLS[tool];
  const fromEnv = process.env[env];
  if (fromEnv) {
    try {
      accessSync(fromEnv, constants.X_OK);
    } catch {
      throw new UserError(`$${env} is ${fromEnv}, which is not an executable: fix or unset it`, env);
    }
    return fromEnv;
  }
  try {
    return resolveTool(table).path;
  } catch (err) {
    throw new UserError(`${(err as Error).message}\n  (or set $${env})`, env);
  }
}
