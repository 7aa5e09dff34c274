import { resolveTool } from '../../../scripts/toolchain.mjs';

/**
 * The path the toolchain resolved for one of its tools (busybox, ccache, qemu...), or undefined
 * when it is not installed: the same answer the bootstrap checked, never a lookup of our own.
 */
export async function whichTool(name: string): Promise<string | undefined> {
  try {
    return resolveTool(name).path;
  } catch {
    return undefined;
  }
}
