/** One entry of an initramfs, in the terms of the kernel's `gen_init_cpio` file list. */
export type CpioEntry =
  | { kind: 'dir'; path: string; mode?: number }
  | { kind: 'file'; path: string; source: string; mode: number }
  | { kind: 'slink'; path: string; target: string }
  | { kind: 'nod'; path: string; mode: number; type: 'c' | 'b'; major: number; minor: number };

/** The device nodes a guest needs before devtmpfs is mounted: consoles and /dev/null. */
export const DEVICE_NODES: CpioEntry[] = [
  { kind: 'nod', path: '/dev/console', mode: 0o600, type: 'c', major: 5, minor: 1 },
  { kind: 'nod', path: '/dev/null', mode: 0o666, type: 'c', major: 1, minor: 3 },
  { kind: 'nod', path: '/dev/ttyS0', mode: 0o660, type: 'c', major: 4, minor: 64 },
  { kind: 'nod', path: '/dev/ttyS1', mode: 0o660, type: 'c', major: 4, minor: 65 },
];

/** The directories every guest has. */
export const BASE_DIRS = ['/bin', '/dev', '/etc', '/lib', '/lib/modules', '/proc', '/rcdebug', '/root', '/run', '/sbin', '/sys', '/tmp', '/usr', '/usr/bin', '/usr/sbin'];

function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

function checkPath(p: string): string {
  // gen_init_cpio splits its list on blanks: a path with one would shift every field.
  if (!p.startsWith('/') || /\s/.test(p)) throw new Error(`initramfs path ${JSON.stringify(p)} must be absolute and have no blanks`);
  return p;
}

/**
 * The `gen_init_cpio` file list of an initramfs: every entry owned by root, so no root or
 * fakeroot is needed to pack device nodes and modes. Parent directories are added as needed.
 */
export function initramfsList(entries: CpioEntry[]): string {
  const lines: string[] = [];
  const dirs = new Set<string>();
  const addDir = (path: string, mode = 0o755) => {
    const parent = path.slice(0, path.lastIndexOf('/'));
    if (parent) addDir(parent);
    if (dirs.has(path)) return;
    dirs.add(path);
    lines.push(`dir ${checkPath(path)} ${octal(mode)} 0 0`);
  };
  const parentOf = (p: string) => p.slice(0, p.lastIndexOf('/'));
  for (const e of entries) {
    if (e.kind === 'dir') {
      addDir(e.path, e.mode);
      continue;
    }
    const parent = parentOf(checkPath(e.path));
    if (parent) addDir(parent);
    if (e.kind === 'file') {
      if (/\s/.test(e.source)) throw new Error(`initramfs source ${JSON.stringify(e.source)} must have no blanks`);
      lines.push(`file ${e.path} ${e.source} ${octal(e.mode)} 0 0`);
    } else if (e.kind === 'slink') {
      lines.push(`slink ${e.path} ${e.target} 0777 0 0`);
    } else {
      lines.push(`nod ${e.path} ${octal(e.mode)} 0 0 ${e.type} ${e.major} ${e.minor}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
