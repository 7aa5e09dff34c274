/**
 * Addresses to source locations with binutils' addr2line: one process for every address of
 * one binary (and section), never one per frame.
 */
import { runTool } from '../exec/run-tool';
import type { StepIO } from '../../src/domain/contract';

/** A location as addr2line prints it: function and the path in the debug info. */
export interface RawLocation {
  func: string;
  path: string;
  line: number;
}

/**
 * Resolves `addresses` in `binary`, inlined functions included (innermost first). `section`
 * makes them offsets into that section, as a module's relocatable `.ko` needs. An address
 * addr2line cannot place gets no entry.
 */
export async function addr2lineBatch(tool: string, binary: string, section: string | undefined, addresses: bigint[], io?: StepIO): Promise<Map<bigint, RawLocation[]>> {
  const out = new Map<bigint, RawLocation[]>();
  if (addresses.length === 0) return out;
  let current: RawLocation[] | undefined;
  let func: string | undefined;
  // With -a -f -i each address prints `0x<address>`, then a function line and a `file:line`
  // line for itself and for every function it was inlined into.
  const onLine = (line: string, stream: 'stdout' | 'stderr') => {
    if (stream !== 'stdout') return;
    if (/^0x[0-9a-f]+$/.test(line)) {
      out.set(BigInt(line), (current = []));
      func = undefined;
    } else if (func === undefined) {
      func = line;
    } else {
      const m = /^(.*):(\d+)(?: \(discriminator \d+\))?$/.exec(line);
      if (m && m[1] !== '??' && Number(m[2]) > 0) current?.push({ func, path: m[1]!, line: Number(m[2]) });
      func = undefined;
    }
  };
  const args = ['-a', '-f', '-i', ...(section ? ['-j', section] : []), '-e', binary];
  await runTool({ cmd: tool, args, io, onLine, input: `${addresses.map((a) => `0x${a.toString(16)}`).join('\n')}\n` });
  for (const [a, locs] of out) if (locs.length === 0) out.delete(a);
  return out;
}
