/**
 * The port through which a cloud hands log-harvest the binaries that resolve stack frames to
 * source lines: the debug kernel and the modules' `.ko` files with their DWARF.
 */

/** Debug binaries of the kernel and modules a cycle booted. */
export interface DebugBinaries {
  /** The kernel's `vmlinux` with debug info; undefined when the cloud has none. */
  vmlinux?: string | undefined;
  /** Module name as the console prints it in brackets (`[kbug]`) → its `.ko` with debug info. */
  modules: Record<string, string>;
  /** The release the binaries were built as (`uname -r`): checked against the console's `Linux version` line. */
  release?: string | undefined;
  /**
   * Folders the debug info's paths are shown relative to, and source lines read from: the kernel
   * tree, the module's source. The first that holds a path wins.
   */
  sourceRoots: string[];
}

/** No debug binaries, and why (said in the report, whose frames stay raw). */
export interface NoDebugBinaries {
  unavailable: string;
}

/** What a cloud hands log-harvest for source lines. */
export type DebugInfo = DebugBinaries | NoDebugBinaries;
