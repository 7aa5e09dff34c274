import { which } from '../../../scripts/toolchain.mjs';

/** The path of an executable on PATH (the toolchain's own lookup), or undefined. */
export async function whichTool(name: string): Promise<string | undefined> {
  return (which as (n: string) => string | undefined)(name);
}
