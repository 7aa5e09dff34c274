/**
 * Input digests of a cloud's kernel build and image bake: every file and value that changes
 * what comes out. Same inputs, same digest, so a rerun finds the earlier build in the cloud's
 * store or registry.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { repoRoot } from '../../src/domain/paths';

/** Every file under `dir`, sorted; none when it does not exist. */
export async function filesUnder(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

/** sha256 (40 hex) over named values and files (by repository path and content). */
export async function hashInputs(parts: { files: string[]; values: Record<string, string> }): Promise<string> {
  const h = createHash('sha256');
  for (const [k, v] of Object.entries(parts.values).sort(([a], [b]) => a.localeCompare(b))) h.update(`value ${k}=${v}\n`);
  for (const path of parts.files) {
    // Missing optional inputs hash as missing; stat first so a directory is never read as a file.
    const s = await stat(path).catch(() => undefined);
    h.update(`file ${relative(repoRoot, path)} `);
    h.update(s?.isFile() ? await readFile(path) : 'missing');
    h.update('\n');
  }
  return h.digest('hex').slice(0, 40);
}

/**
 * The kernel build's digest: the packer template (`templates`: its files when it is a folder), the flavor's fragments and the common ones,
 * the cloud's kernel folder (`kernel/<cloud>`: drivers its VMs need), the config check, and
 * the values that pick the builder (its source image, the Kubernetes version...).
 */
export async function kernelBuildDigest(o: { packerDir: string; cloudKernelDir: string; flavor: string; values: Record<string, string>; templates?: string[] }): Promise<string> {
  const kernel = join(repoRoot, 'kernel');
  const files = [
    ...(o.templates ?? [join(o.packerDir, 'kernel-build.pkr.hcl')]),
    ...(await filesUnder(join(kernel, 'flavors', 'common'))),
    ...(await filesUnder(join(kernel, 'flavors', o.flavor))),
    ...(await filesUnder(o.cloudKernelDir)),
    join(kernel, 'verify-config.py'),
  ];
  return hashInputs({ files, values: { flavor: o.flavor, ...o.values } });
}

/** The image's digest: the kernel it installs, the bake template and scripts, the boot arguments. */
export async function imageBakeDigest(o: { packerDir: string; scriptsDir: string; flavor: string; kernelDigest: string; values: Record<string, string> }): Promise<string> {
  const files = [
    join(o.packerDir, 'image-bake.pkr.hcl'),
    ...(await filesUnder(o.scriptsDir)),
    join(repoRoot, 'kernel', 'flavors', o.flavor, 'cmdline'),
    join(repoRoot, 'kernel', 'flavors', 'common', 'cmdline'),
  ];
  return hashInputs({ files, values: { flavor: o.flavor, kernelDigest: o.kernelDigest, ...o.values } });
}
