/**
 * Input digests of the azure build and bake: every file and value that changes what comes out.
 * Same inputs, same digest, so a rerun finds the earlier build in Blob Storage or the registry.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { repoRoot } from '../../../src/domain/paths';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

async function hashInputs(files: string[], values: Record<string, string>): Promise<string> {
  const h = createHash('sha256');
  for (const [k, v] of Object.entries(values).sort(([a], [b]) => a.localeCompare(b))) h.update(`value ${k}=${v}\n`);
  for (const path of files) {
    const s = await stat(path).catch(() => undefined);
    h.update(`file ${relative(repoRoot, path)} `);
    h.update(s?.isFile() ? await readFile(path) : 'missing');
    h.update('\n');
  }
  return h.digest('hex').slice(0, 40);
}

/** The kernel build's digest: template, kernel/ (fragments, the azure fragment and script), source image, flavor. */
export async function kernelBuildDigest(o: { packerDir: string; flavor: string; sourceImage: string; kubernetesVersion: string }): Promise<string> {
  const kernel = join(repoRoot, 'kernel');
  const files = [
    join(o.packerDir, 'kernel-build.pkr.hcl'),
    ...(await filesUnder(join(kernel, 'flavors', 'common'))),
    ...(await filesUnder(join(kernel, 'flavors', o.flavor))),
    ...(await filesUnder(join(kernel, 'azure'))),
    join(kernel, 'verify-config.py'),
  ];
  return hashInputs(files, { flavor: o.flavor, sourceImage: o.sourceImage, k8s: o.kubernetesVersion });
}

/** The image's digest: the kernel it installs, the bake template and scripts, the source image. */
export async function imageBakeDigest(o: { packerDir: string; flavor: string; kernelDigest: string; sourceImage: string; kubernetesVersion: string }): Promise<string> {
  const files = [
    join(o.packerDir, 'image-bake.pkr.hcl'),
    ...(await filesUnder(join(repoRoot, 'packer', 'scripts'))),
    join(repoRoot, 'kernel', 'flavors', o.flavor, 'cmdline'),
    join(repoRoot, 'kernel', 'flavors', 'common', 'cmdline'),
  ];
  return hashInputs(files, { flavor: o.flavor, kernelDigest: o.kernelDigest, sourceImage: o.sourceImage, k8s: o.kubernetesVersion });
}
