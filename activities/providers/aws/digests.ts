/**
 * Input digests of the aws build and bake: every file and value that changes what comes out.
 * Same inputs, same digest, so a rerun finds the earlier build in S3 or the registry.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { repoRoot } from '../../../src/domain/paths';

async function filesUnder(dir: string): Promise<string[]> {
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

async function hashInputs(parts: { files: string[]; values: Record<string, string> }): Promise<string> {
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

/** The kernel build's digest: template, kernel/ (fragments, build script), builder AMI, flavor. */
export async function kernelBuildDigest(o: { packerDir: string; flavor: string; sourceAmi: string; kubernetesVersion: string }): Promise<string> {
  const kernel = join(repoRoot, 'kernel');
  const files = [
    join(o.packerDir, 'kernel-build.pkr.hcl'),
    ...(await filesUnder(join(kernel, 'flavors', 'common'))),
    ...(await filesUnder(join(kernel, 'flavors', o.flavor))),
    ...(await filesUnder(join(kernel, 'aws'))),
    join(kernel, 'verify-config.py'),
  ];
  return hashInputs({ files, values: { flavor: o.flavor, sourceAmi: o.sourceAmi, k8s: o.kubernetesVersion } });
}

/** The image's digest: the kernel it installs, the bake template and scripts, the source AMI. */
export async function imageBakeDigest(o: { packerDir: string; flavor: string; kernelDigest: string; sourceAmi: string; kubernetesVersion: string }): Promise<string> {
  const files = [
    join(o.packerDir, 'image-bake.pkr.hcl'),
    ...(await filesUnder(join(repoRoot, 'packer', 'scripts'))),
    join(repoRoot, 'kernel', 'flavors', o.flavor, 'cmdline'),
    join(repoRoot, 'kernel', 'flavors', 'common', 'cmdline'),
  ];
  return hashInputs({ files, values: { flavor: o.flavor, kernelDigest: o.kernelDigest, sourceAmi: o.sourceAmi, k8s: o.kubernetesVersion } });
}
