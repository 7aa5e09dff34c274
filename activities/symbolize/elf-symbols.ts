/**
 * Function symbols of an ELF file (vmlinux or a module's .ko), read with one `nm` run: where
 * each function starts, its size, its section, and where the next symbol of its section starts.
 */
import { runTool } from '../exec/run-tool';
import type { StepIO } from '../../src/domain/contract';

/** One definition of a symbol. */
export interface ElfSymbol {
  address: bigint;
  size: bigint;
  section: string;
  /** Distance to the next symbol of the same section: the size kallsyms prints. */
  gap?: bigint | undefined;
}

/**
 * The definitions of the `wanted` names in `binary` (a name may be defined more than once:
 * static functions of different files).
 */
export async function readSymbols(nm: string, binary: string, wanted: Set<string>, io?: StepIO): Promise<Map<string, ElfSymbol[]>> {
  const found = new Map<string, ElfSymbol[]>();
  const starts = new Map<string, bigint[]>();
  // `nm -f sysv`: name|value|class|type|size|line|section, one symbol a line.
  const onLine = (line: string, stream: 'stdout' | 'stderr') => {
    if (stream !== 'stdout') return;
    const cols = line.split('|').map((c) => c.trim());
    if (cols.length < 7 || !/^[0-9a-f]+$/.test(cols[1]!)) return;
    const section = cols[6]!;
    const address = BigInt(`0x${cols[1]}`);
    let list = starts.get(section);
    if (!list) starts.set(section, (list = []));
    list.push(address);
    const name = cols[0]!;
    if (!wanted.has(name)) return;
    const size = cols[4] ? BigInt(`0x${cols[4]}`) : 0n;
    found.set(name, [...(found.get(name) ?? []), { address, size, section }]);
  };
  await runTool({ cmd: nm, args: ['-f', 'sysv', '--defined-only', binary], io, onLine });
  for (const defs of found.values()) {
    for (const d of defs) d.gap = nextAfter(starts.get(d.section)!, d.address);
  }
  return found;
}

function nextAfter(list: bigint[], address: bigint): bigint | undefined {
  let next: bigint | undefined;
  for (const a of list) if (a > address && (next === undefined || a < next)) next = a;
  return next === undefined ? undefined : next - address;
}
