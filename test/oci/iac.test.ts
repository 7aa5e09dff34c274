// The oci infrastructure code, checked offline with the real tools: both Packer templates pass
// a full `packer validate` with the oracle plugin (built from the Go module proxy by the
// toolchain) given exactly the variables the activity passes; packer/oci and terraform/oci are
// formatted; terraform/oci declares every variable the activity writes and every output it
// reads. The oci terraform provider does not build from the Go proxy here, so terraform/oci gets
// `tofu fmt -check` and these cross-checks, not `tofu validate`.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OciProviderOptions } from '../../activities/providers/oci/options';
import { ociPackerVars } from '../../activities/providers/oci/packer-vars';
import type { OciStep } from '../../activities/providers/oci/step-context';
import type { OciTerraformVars } from '../../activities/providers/oci/terraform';
import { cacheDir } from '../../scripts/toolchain.mjs';
import { packerPluginDir } from '../../scripts/tools-iac.mjs';
import type { StepContext } from '../../src/domain/contract';
import { repoRoot } from '../../src/domain/paths';
import { realTool, runTool } from '../iac/real-tool';

const packerDir = join(repoRoot, 'packer', 'oci');
const tfDir = join(repoRoot, 'terraform', 'oci');
let scratch: string;
let keyFile: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'rcdebug-oci-iac-'));
  keyFile = join(scratch, 'key.pem');
  writeFileSync(keyFile, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The variables the activity passes to a build, from its own function. */
function activityVars(extra: Record<string, string>): Record<string, string> {
  const ctx = { cycleId: 'rc-v1.4.0-rc2-oci-kasan', rc: 'v1.4.0-rc2', flavor: 'kasan' } as StepContext;
  const step = {
    clients: { credentials: { region: 'eu-frankfurt-1', tenancy: 'ocid1.tenancy.oc1..aaaa', user: 'ocid1.user.oc1..aaaa', fingerprint: '00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff', keyFile } },
    compartmentId: 'ocid1.compartment.oc1..aaaa',
    bucket: { namespace: 'rcdebugns', bucket: 'rcdebug-artifacts' },
  } as unknown as OciStep;
  const opts = { availabilityDomain: 'Uocm:EU-FRANKFURT-1-AD-1', buildSubnetId: 'ocid1.subnet.oc1.eu-frankfurt-1.aaaa', sourceImageId: 'ocid1.image.oc1.eu-frankfurt-1.aaaa', shape: 'VM.Standard.E5.Flex', kubernetesVersion: 'v1.33.1' } as OciProviderOptions;
  return { ...ociPackerVars(ctx, step, opts, '0123456789abcdef0123456789abcdef01234567'), manifest_path: join(scratch, 'manifest.json'), ...extra };
}
const varArgs = (v: Record<string, string>) => Object.entries(v).flatMap(([k, val]) => ['-var', `${k}=${val}`]);
const env = () => ({ PACKER_PLUGIN_PATH: packerPluginDir(cacheDir) });

const builds = {
  'kernel-build': { kernel_dir: join(repoRoot, 'kernel'), result_dir: tmpdir() },
  'image-bake': { kernel_digest: 'd'.repeat(40), kernel_release: '5.15.0-rcdebug.kasan', kernel_prefix: 'kernels/oci/kasan/dddd/', kernel_dir: join(repoRoot, 'kernel'), scripts_dir: join(repoRoot, 'packer', 'scripts') },
};

describe('packer/oci', () => {
  it.each(Object.entries(builds))('%s passes a full packer validate with the oracle plugin and the activity\'s variables', (dir, extra) => {
    realTool('packer-plugin-oracle');
    const r = runTool(realTool('packer'), ['validate', ...varArgs(activityVars(extra)), dir], { cwd: packerDir, env: env() });
    expect(r.status, r.output).toBe(0);
    expect(r.stdout).toContain('The configuration is valid.');
  });

  it('refuses a base image that is not an image OCID, naming it', () => {
    const r = runTool(realTool('packer'), ['validate', ...varArgs(activityVars({ ...builds['kernel-build'], base_image_ocid: 'Oracle-Linux-8.10' })), 'kernel-build'], { cwd: packerDir, env: env() });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('The base image must be an image OCID');
  });

  it('is formatted (packer fmt -check)', () => {
    const r = runTool(realTool('packer'), ['fmt', '-check', '-recursive', packerDir]);
    expect(r.status, `run: packer fmt -recursive packer/oci\n${r.output}`).toBe(0);
  });

  it('scripts and the kernel build script parse (bash -n)', () => {
    const scripts = [...readdirSync(join(packerDir, 'scripts')).map((f) => join(packerDir, 'scripts', f)), join(repoRoot, 'kernel', 'oci', 'build-uek-kernel.sh')];
    for (const s of scripts) {
      const r = runTool('bash', ['-n', s]);
      expect(r.status, `${s}\n${r.output}`).toBe(0);
    }
  });
});

describe('terraform/oci', () => {
  const hcl = () => readdirSync(tfDir).filter((f) => f.endsWith('.tf')).map((f) => readFileSync(join(tfDir, f), 'utf8')).join('\n');

  it('is formatted (tofu fmt -check)', () => {
    const r = runTool(realTool('tofu'), ['fmt', '-check', '-recursive', tfDir]);
    expect(r.status, `run: tofu fmt -recursive terraform/oci\n${r.output}`).toBe(0);
  });

  it('declares every variable the activity writes', () => {
    const vars: Record<keyof OciTerraformVars, true> = {
      cycle_id: true, rc: true, flavor: true, region: true, tenancy_ocid: true, user_ocid: true, fingerprint: true, private_key_path: true,
      compartment_ocid: true, availability_domain: true, node_shape: true, debug_image_ocid: true, k8s_version: true, cp_cluster_name: true, workload_cluster_name: true,
    };
    const declared = new Set([...hcl().matchAll(/^variable "([a-z0-9_]+)"/gm)].map((m) => m[1]));
    expect(Object.keys(vars).filter((v) => !declared.has(v))).toEqual([]);
  });

  it('has every output cluster-provision reads', () => {
    const outputs = new Set([...hcl().matchAll(/^output "([a-z0-9_]+)"/gm)].map((m) => m[1]));
    const read = readFileSync(join(repoRoot, 'activities', 'providers', 'oci', 'cluster-provision.ts'), 'utf8');
    const names = [...read.matchAll(/str\(out, '([a-z0-9_]+)'/g)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(5);
    expect(names.filter((n) => !outputs.has(n))).toEqual([]);
  });

  it('tags every resource with the cycle (freeform_tags) so the janitor finds them', () => {
    const resources = [...hcl().matchAll(/^resource "([a-z_]+)" "[a-z_]+" \{([\s\S]*?)^\}/gm)];
    expect(resources.length).toBeGreaterThan(10);
    const untagged = resources.filter(([, , body]) => !/freeform_tags\s+=/.test(body ?? '')).map(([, type]) => type);
    expect(untagged).toEqual([]);
  });
});
