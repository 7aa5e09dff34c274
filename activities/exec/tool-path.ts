/**
 * Where an external tool is, for every cloud: the variable that overrides it first (how the
 * cycle tests swap in their recording stand-ins: `$RCDEBUG_PACKER`, ...), then the tool table
 * of scripts/toolchain.mjs (PATH, the rcdebug cache).
 */
import { accessSync, constants } from 'node:fs';
import { UserError } from '../../src/domain/errors';
import { resolveTool } from '../../scripts/toolchain.mjs';

/** The executable of the tool table's `tableName`, unless `$envVar` names one; else a UserError saying how to get it. */
export function toolFromEnvOrTable(envVar: string, tableName: string): string {
  const fromEnv = process.env[envVar];
  if (fromEnv) {
    try {
      accessSync(fromEnv, constants.X_OK);
      return fromEnv;
    } catch {
      throw new UserError(`$${envVar} is ${fromEnv}, which is not an executable: fix or unset it`, envVar);
    }
  }
  try {
    return resolveTool(tableName).path;
  } catch (err) {
    throw new UserError(`${(err as Error).message}\n  (or set $${envVar})`, envVar);
  }
}
