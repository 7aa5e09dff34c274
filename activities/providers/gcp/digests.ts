/**
 * Input digests of the gcp kernel build and image bake: every file and value that changes
 * what comes out, so a rerun finds the earlier build in Cloud Storage or the registry.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { repoRoot } from '../../../src/domain/paths';

/** Files under the given roots (a file root is itself), sorted, missing roots skipped. */
async function walk(roots: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const root of roots) {
    const entries = await readdir(root, { withFileTypes: true, recursive: true }).catch(() => undefined);
    if (entries === undefined) {
      out.push(root);
      continue;
    }
    for (const e of entries) if (e.isFile()) out.push(join(e.parentPath, e.name));
  }
  return [...new Set(out)].sort();
}

async function digestOf(roots: string[], values: Record<string, string>): Promise<string> {
  const h = createHash('sha256');
  h.update(JSON.stringify(Object.entries(values).sort(([a], [b]) => a.localeCompare(b))));
  for (const file of await walk(roots)) {
    const body = await readFile(file).catch(() => Buffer.from('(missing)'));
    h.update(`\0${relative(repoRoot, file)}\0`).update(body);
  }
  return h.digest('hex').slice(0, 40);
}

/** The kernel build: its template, the flavor's fragments, the gcp fragment, the checker, the source image. */
export function kernelBuildDigest(o: { packerDir: string; flavor: string; sourceImage: string }): Promise<string> {
  const k = join(repoRoot, 'kernel');
  return digestOf([join(o.packerDir, 'kernel-build.pkr.hcl'), join(k, 'flavors', 'common'), join(k, 'flavors', o.flavor), join(k, 'gcp'), join(k, 'verify-config.py')], { cloud: 'gcp', flavor: o.flavor, source: o.sourceImage });
}

/** The image: the kernel it installs, the bake template and scripts, the boot arguments, the source image. */
export function imageBakeDigest(o: { packerDir: string; flavor: string; kernelDigest: string; sourceImage: string; kubernetesVersion: string }): Promise<string> {
  const k = join(repoRoot, 'kernel', 'flavors');
  return digestOf([join(o.packerDir, 'image-bake.pkr.hcl'), join(repoRoot, 'packer', 'scripts'), join(k, o.flavor, 'cmdline'), join(k, 'common', 'cmdline')], { cloud: 'gcp', flavor: o.flavor, kernel: o.kernelDigest, source: o.sourceImage, k8s: o.kubernetesVersion });
}
