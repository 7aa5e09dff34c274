// The gcp cloud's infrastructure code with the real packer, its googlecompute plugin and tofu
// from the tool table: full `packer validate` (the plugin is built from the Go module proxy by
// the bootstrap), formatting, the variables the activities pass, and the kernel fragment.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheDir, resolveTool } from '../../scripts/toolchain.mjs';
import { packerPluginDir } from '../../scripts/tools-iac.mjs';
import { repoRoot } from '../../src/domain/paths';
import { realTool, runTool } from '../iac/real-tool';

const packerDir = join(repoRoot, 'packer', 'gcp');
const tfDir = join(repoRoot, 'terraform', 'gcp');

/** Variables a template declares. */
const declared = (file: string) => [...readFileSync(file, 'utf8').matchAll(/^variable "([a-z0-9_]+)"/gm)].map((m) => m[1]);

describe('packer/gcp', () => {
  it.each(['kernel-build.pkr.hcl', 'image-bake.pkr.hcl'])('%s passes packer validate -syntax-only', (t) => {
    const r = runTool(realTool('packer'), ['validate', '-syntax-only', t], { cwd: packerDir });
    expect(r.status, r.output).toBe(0);
  });

  const common = {
    project_id: 'rcdebug-test', zone: 'europe-west1-b', bucket: 'rcdebug-artifacts', flavor: 'kasan', digest: '0123456789abcdef0123456789abcdef01234567',
    source_image: 'ubuntu-2404-noble-amd64-v20260101', cycle_label: 'rc-v1_4_0-rc2-gcp-kasan', rc_label: 'v1_4_0-rc2', kernel_dir: join(repoRoot, 'kernel'), manifest_path: '/tmp/m.json',
  };
  const bakeVars = { ...common, kernel_digest: 'k'.repeat(40), kernel_release: '6.8.0-rcdebug-kasan', image_family: 'rcdebug-kasan', k8s_version: '1.33', scripts_dir: join(repoRoot, 'packer', 'scripts') };
  const args = (v: Record<string, string>) => Object.entries(v).flatMap(([k, val]) => ['-var', `${k}=${val}`]);
  const packerEnv = () => {
    resolveTool('packer-plugin-googlecompute');
    return { PACKER_PLUGIN_PATH: packerPluginDir(cacheDir) };
  };

  it.each([
    ['kernel-build.pkr.hcl', { ...common, result_dir: '/tmp' }],
    ['image-bake.pkr.hcl', bakeVars],
  ] as const)('%s passes the full packer validate with the googlecompute plugin', (t, v) => {
    const r = runTool(realTool('packer'), ['validate', ...args(v), t], { cwd: packerDir, env: packerEnv() });
    expect(r.status, r.output).toBe(0);
  });

  it('refuses a label value GCP would refuse', () => {
    const r = runTool(realTool('packer'), ['validate', ...args({ ...bakeVars, rc_label: 'v1.4.0-RC2' }), 'image-bake.pkr.hcl'], { cwd: packerDir, env: packerEnv() });
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/at most 63 lowercase letters/);
  });

  it('is formatted (packer fmt -check)', () => {
    const r = runTool(realTool('packer'), ['fmt', '-check', '-recursive', packerDir]);
    expect(r.status, `run: packer fmt packer/gcp\n${r.output}`).toBe(0);
  });

  it('declares every variable the activities pass, and labels the image in the label charset', () => {
    const common = ['project_id', 'zone', 'bucket', 'flavor', 'digest', 'source_image', 'machine_type', 'cycle_label', 'rc_label', 'kernel_dir', 'manifest_path'];
    expect(declared(join(packerDir, 'kernel-build.pkr.hcl'))).toEqual(expect.arrayContaining([...common, 'result_dir']));
    expect(declared(join(packerDir, 'image-bake.pkr.hcl'))).toEqual(expect.arrayContaining([...common, 'image_family', 'kernel_digest', 'kernel_release', 'k8s_version', 'scripts_dir']));
    const bake = readFileSync(join(packerDir, 'image-bake.pkr.hcl'), 'utf8');
    expect(bake).toMatch(/enable_secure_boot\s*=\s*false/);
    expect(bake).toMatch(/serial-port-logging-enable\s*=\s*"true"/);
    expect(bake).toMatch(/rcdebug-digest\s*=\s*var\.digest/);
  });
});

describe('terraform/gcp', () => {
  it('is formatted (tofu fmt -check)', () => {
    const r = runTool(realTool('tofu'), ['fmt', '-check', '-recursive', tfDir]);
    expect(r.status, `run: tofu fmt terraform/gcp\n${r.output}`).toBe(0);
  });

  it('declares the variables the activity writes and the outputs it reads', () => {
    const vars = [...readFileSync(join(tfDir, 'variables.tf'), 'utf8').matchAll(/^variable "([a-z0-9_]+)"/gm)].map((m) => m[1]);
    expect(vars).toEqual(expect.arrayContaining(['project_id', 'region', 'zone', 'cycle_id', 'cycle_label', 'rc_label', 'flavor', 'debug_image', 'machine_type', 'k8s_version', 'cp_cluster_name', 'workload_cluster_name']));
    const outputs = [...readFileSync(join(tfDir, 'outputs.tf'), 'utf8').matchAll(/^output "([a-z0-9_]+)"/gm)].map((m) => m[1]);
    expect(outputs).toEqual(expect.arrayContaining(['cp_cluster_name', 'cp_cluster_location', 'workload_cluster_name', 'workload_group_name', 'kubeconfig_secret']));
    const workload = readFileSync(join(tfDir, 'workload.tf'), 'utf8');
    expect(workload).toMatch(/enable_secure_boot\s*=\s*false/);
    expect(readFileSync(join(tfDir, 'versions.tf'), 'utf8')).toMatch(/backend "gcs"/);
  });

  it('the worker role grants what the activities call', () => {
    const role = readFileSync(join(tfDir, 'worker-role.yaml'), 'utf8');
    for (const p of ['compute.images.getFromFamily', 'compute.machineTypes.get', 'compute.instances.getSerialPortOutput', 'compute.instanceGroupManagers.get', 'container.clusters.get', 'secretmanager.versions.access', 'logging.logEntries.list', 'storage.objects.create']) {
      expect(role).toContain(`- ${p}\n`);
    }
  });
});

describe('kernel/gcp', () => {
  it('the fragment builds in the drivers a Compute Engine VM needs', () => {
    const frag = readFileSync(join(repoRoot, 'kernel', 'gcp', 'gcp.config'), 'utf8');
    for (const opt of ['CONFIG_SCSI_VIRTIO=y', 'CONFIG_BLK_DEV_NVME=y', 'CONFIG_GVE=y', 'CONFIG_VIRTIO_NET=y', 'CONFIG_SERIAL_8250_CONSOLE=y']) expect(frag).toContain(opt);
  });

  it('the build script is valid bash and merges the gcp fragment after the flavor', () => {
    const script = join(repoRoot, 'kernel', 'gcp', 'build-ubuntu-kernel.sh');
    const r = runTool('bash', ['-n', script]);
    expect(r.status, r.output).toBe(0);
    expect(readFileSync(script, 'utf8')).toMatch(/FRAGMENTS\+=\("\$KERNEL_DIR\/gcp\/gcp\.config"\)/);
  });
});
