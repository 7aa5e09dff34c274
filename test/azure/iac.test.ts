// The azure IaC with the real tools: packer validate (full, with packer-plugin-azure built by
// the project's setup) and packer fmt -check of packer/azure, tofu fmt -check of
// terraform/azure, the kernel fragment in the kernel build, and the worker role's JSON.
// `tofu validate` of terraform/azure needs the azurerm provider, which is not built here (see
// docs/azure.md, "Checking terraform/azure": an opt-in command).
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheDir } from '../../scripts/toolchain.mjs';
import { packerPluginDir } from '../../scripts/tools-iac.mjs';
import { repoRoot } from '../../src/domain/paths';
import { realTool, runTool } from '../iac/real-tool';

const packerDir = join(repoRoot, 'packer', 'azure');
const terraformDir = join(repoRoot, 'terraform', 'azure');
const common = {
  subscription_id: '00000000-0000-4000-8000-000000000001', resource_group: 'rcdebug', location: 'westeurope',
  image_publisher: 'Canonical', image_offer: 'ubuntu-24_04-lts', image_sku: 'server', image_version: '24.04.202510010',
  storage_url: 'https://rcdebugartifacts.blob.core.windows.net', container: 'rcdebug', flavor: 'kasan', digest: '0123456789abcdef',
  cycle_id: 'rc-v1.4.0-rc2-azure-kasan', rc: 'v1.4.0-rc2', k8s_version: '1.33',
};
const bake = { gallery: 'rcdebug_images', image_definition: 'rcdebug-kasan', gallery_version: '10400.2.1193046', kernel_digest: 'fedcba9876543210', kernel_release: '6.8.0-1021-rcdebug-kasan' };
const varArgs = (v: Record<string, string>) => Object.entries(v).flatMap(([k, val]) => ['-var', `${k}=${val}`]);
// The plugin is found where the project's setup installed it; packer itself resolves nothing.
const env = () => ({ PACKER_PLUGIN_PATH: packerPluginDir(cacheDir) });

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'rcdebug-azure-iac-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('packer/azure', () => {
  it('the azure-arm plugin is installed by the project setup (packer-plugin-azure)', () => {
    expect(realTool('packer-plugin-azure')).toContain(join('github.com', 'hashicorp', 'azure'));
  });

  it.each([
    ['kernel-build', common],
    ['image-bake', { ...common, ...bake }],
  ])('%s passes full packer validate with the vars the activity passes', (template, vars) => {
    const r = runTool(realTool('packer'), ['validate', ...varArgs(vars), template], { cwd: packerDir, env: env() });
    expect(r.status, r.output).toBe(0);
  });

  it('a gallery version that is not Major.Minor.Patch fails validation naming the rule', () => {
    const r = runTool(realTool('packer'), ['validate', ...varArgs({ ...common, ...bake, gallery_version: '1.4.0-rc2' }), 'image-bake'], { cwd: packerDir, env: env() });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('Major.Minor.Patch');
  });

  it('the image is generalized with waagent last, with Secure Boot off', () => {
    const text = readFileSync(join(packerDir, 'image-bake', 'image-bake.pkr.hcl'), 'utf8');
    const build = text.slice(text.indexOf('build {'));
    expect(build.lastIndexOf('waagent -force -deprovision+user')).toBeGreaterThan(build.lastIndexOf('check-ubuntu-debug-kernel.sh'));
    expect(text).toMatch(/secure_boot_enabled = false/);
  });

  it('packer/azure is formatted (packer fmt -check); an unformatted copy fails', () => {
    expect(runTool(realTool('packer'), ['fmt', '-check', '-recursive', packerDir]).status).toBe(0);
    const messy = join(scratch, 'messy.pkr.hcl');
    writeFileSync(messy, readFileSync(join(packerDir, 'kernel-build', 'kernel-build.pkr.hcl'), 'utf8').replace('location           = var.location', 'location = var.location'));
    expect(runTool(realTool('packer'), ['fmt', '-check', messy]).status).not.toBe(0);
  });
});

describe('terraform/azure', () => {
  it('is formatted (tofu fmt -check)', () => {
    const r = runTool(realTool('tofu'), ['fmt', '-check', '-recursive', terraformDir]);
    expect(r.status, `run: tofu fmt -recursive terraform/azure\n${r.output}`).toBe(0);
  });

  it('declares every variable the activity writes and every output it reads', () => {
    const tf = readdirSync(terraformDir).filter((f) => f.endsWith('.tf')).map((f) => readFileSync(join(terraformDir, f), 'utf8')).join('\n');
    for (const v of ['cycle_id', 'rc', 'flavor', 'location', 'subscription_id', 'gallery_image_version_id', 'k8s_version', 'vm_size', 'cp_cluster_name', 'workload_cluster_name']) {
      expect(tf, v).toMatch(new RegExp(`^variable "${v}" \\{`, 'm'));
    }
    for (const o of ['resource_group', 'cp_cluster_name', 'workload_cluster_name', 'workload_vmss_name', 'key_vault_url', 'kubeconfig_secret_name', 'log_analytics_workspace_id']) {
      expect(tf, o).toMatch(new RegExp(`^output "${o}" \\{`, 'm'));
    }
    expect(tf).toMatch(/backend "azurerm" \{\}/);
    // No credential is an output.
    expect(tf).not.toMatch(/output "[^"]*kubeconfig"\s*\{[^}]*kube_config/);
  });

  it('the worker role is a JSON role definition', () => {
    const role = JSON.parse(readFileSync(join(terraformDir, 'worker-role.json'), 'utf8')) as { Actions: string[]; DataActions: string[] };
    expect(role.Actions).toContain('Microsoft.Compute/virtualMachineScaleSets/*');
    expect(role.DataActions).toContain('Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*');
  });
});

describe('kernel/azure', () => {
  it('builds the Hyper-V drivers in, and the build script merges the fragment and runs verify-config.py', () => {
    const fragment = readFileSync(join(repoRoot, 'kernel', 'azure', 'hyperv.config'), 'utf8');
    for (const opt of ['CONFIG_HYPERV=y', 'CONFIG_HYPERV_STORAGE=y', 'CONFIG_HYPERV_NET=y', 'CONFIG_SERIAL_8250_CONSOLE=y']) expect(fragment).toContain(opt);
    const script = join(repoRoot, 'kernel', 'azure', 'build-ubuntu-kernel.sh');
    expect(runTool('bash', ['-n', script]).status).toBe(0);
    const text = readFileSync(script, 'utf8');
    expect(text).toContain('azure/hyperv.config');
    expect(text).toMatch(/verify-config\.py/);
    expect(dirname(script)).toBe(join(repoRoot, 'kernel', 'azure'));
  });
});
