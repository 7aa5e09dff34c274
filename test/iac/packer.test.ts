import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheDir } from '../../scripts/toolchain.mjs';
import { packerPluginDir } from '../../scripts/tools-iac.mjs';
import { repoRoot } from '../../src/domain/paths';
import { realTool, runTool } from './real-tool';

const packerRoot = join(repoRoot, 'packer');
const awsDir = join(packerRoot, 'aws');
const templates = ['kernel-build.pkr.hcl', 'image-bake.pkr.hcl'];

/** Every variable the activities pass with -var for both builds. */
const commonVars = ['region', 'bucket', 'flavor', 'digest', 'cycle_id', 'rc', 'k8s_version', 'source_ami', 'instance_type', 'subnet_id', 'manifest_path'];

const vars = {
  region: 'eu-west-1',
  bucket: 'rcdebug-artifacts',
  flavor: 'kasan',
  digest: 'sha256-0123456789abcdef0123',
  kernel_release: '6.12.40-rcdebug.kasan',
  cycle_id: 'rc-v1.4.0-rc2-aws-kasan',
  rc: 'v1.4.0-rc2',
  k8s_version: '1.33',
  source_ami: 'ami-0123456789abcdef0',
};
const varArgs = (v: Record<string, string>) => Object.entries(v).flatMap(([k, val]) => ['-var', `${k}=${val}`]);

/** `packer inspect` output: the evaluated input and local variables, by name. */
function inspect(template: string, v: Record<string, string>): Record<string, string> {
  const r = runTool(realTool('packer'), ['inspect', ...varArgs(v), template], { cwd: awsDir });
  expect(r.status, r.output).toBe(0);
  const out: Record<string, string> = {};
  for (const m of r.stdout.matchAll(/^(var|local)\.([a-z_]+): "((?:[^"\\]|\\.)*)"$/gm)) {
    out[`${m[1]}.${m[2]}`] = JSON.parse(`"${m[3]}"`) as string;
  }
  return out;
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'rcdebug-packer-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('packer templates', () => {
  it('are the two aws builds', () => {
    expect(readdirSync(awsDir).filter((f) => f.endsWith('.pkr.hcl')).sort()).toEqual([...templates].sort());
  });

  it.each(templates)('%s passes packer validate -syntax-only', (template) => {
    const r = runTool(realTool('packer'), ['validate', '-syntax-only', template], { cwd: awsDir });
    expect(r.status, r.output).toBe(0);
  });

  it('packer/ is formatted (packer fmt -check)', () => {
    const r = runTool(realTool('packer'), ['fmt', '-check', '-recursive', packerRoot]);
    expect(r.status, `run: packer fmt -recursive packer/\n${r.output}`).toBe(0);
  });

  it('a template with a syntax error fails validation, naming the file', () => {
    const broken = join(scratch, 'broken.pkr.hcl');
    writeFileSync(broken, readFileSync(join(awsDir, 'image-bake.pkr.hcl'), 'utf8').replace(/\n}\s*$/, '\n'));
    const r = runTool(realTool('packer'), ['validate', '-syntax-only', broken]);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('broken.pkr.hcl');
  });

  it('an unformatted template fails packer fmt -check', () => {
    const messy = join(scratch, 'messy.pkr.hcl');
    writeFileSync(messy, readFileSync(join(awsDir, 'kernel-build.pkr.hcl'), 'utf8').replace('region        = var.region', 'region = var.region'));
    const r = runTool(realTool('packer'), ['fmt', '-check', messy]);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('messy.pkr.hcl');
  });

  it.each(templates)('%s declares every variable the activity passes and writes a manifest', (template) => {
    const text = readFileSync(join(awsDir, template), 'utf8');
    for (const v of commonVars) expect(text, v).toMatch(new RegExp(`^variable "${v}" \\{`, 'm'));
    expect(text).toMatch(/post-processor "manifest" \{\s*output\s*= var\.manifest_path/);
  });

  it.each(templates)('every script and directory %s uploads exists in the repository', (template) => {
    const text = readFileSync(join(awsDir, template), 'utf8');
    const refs = [...text.matchAll(/"\$\{local\.(scripts_dir|kernel_dir)\}\/([^"]*)"/g)];
    expect(refs.length).toBeGreaterThan(0);
    for (const [, dir, rel = ''] of refs) {
      const base = dir === 'scripts_dir' ? join(packerRoot, 'scripts') : join(repoRoot, 'kernel');
      expect(existsSync(join(base, rel)), `${dir}/${rel}`).toBe(true);
    }
  });
});

describe('kernel-build', () => {
  it('puts the build under kernels/<flavor>/<digest>/ and tags it', () => {
    const { kernel_release: _imageOnly, ...kernelVars } = vars;
    const got = inspect('kernel-build.pkr.hcl', kernelVars);
    expect(got['local.prefix']).toBe(`kernels/kasan/${vars.digest}`);
    expect(got['local.tags']).toContain(`"rcdebug:cycle" = "${vars.cycle_id}"`);
    expect(got['local.tags']).toContain(`"rcdebug:digest" = "${vars.digest}"`);
  });

  it('uploads kernel/ with the build script and the shared option check', () => {
    expect(existsSync(join(repoRoot, 'kernel', 'aws', 'build-al2023-kernel.sh'))).toBe(true);
    expect(existsSync(join(repoRoot, 'kernel', 'verify-config.py'))).toBe(true);
    const script = readFileSync(join(repoRoot, 'kernel', 'aws', 'build-al2023-kernel.sh'), 'utf8');
    expect(script).toContain('verify-config.py" --config');
  });
});

describe('image-bake', () => {
  it('names the AMI after Kubernetes version, flavor and kernel digest, and tags it for the registry', () => {
    const got = inspect('image-bake.pkr.hcl', vars);
    expect(got['local.ami_name']).toMatch(/^rcdebug-eks-1\.33-al2023-kasan-sha256-01234-\d{14}$/);
    for (const [k, v] of Object.entries({ cycle: vars.cycle_id, rc: vars.rc, flavor: 'kasan', digest: vars.digest, managed: 'true' })) {
      expect(got['local.tags'], k).toContain(`"rcdebug:${k}" = "${v}"`);
    }
  });

  it('installs the RPMs of the kernel digest, which defaults to the image digest', () => {
    expect(inspect('image-bake.pkr.hcl', vars)['local.kernel_prefix']).toBe(`kernels/kasan/${vars.digest}`);
    const other = inspect('image-bake.pkr.hcl', { ...vars, kernel_digest: 'kernel-digest-42' });
    expect(other['local.kernel_prefix']).toBe('kernels/kasan/kernel-digest-42');
    expect(other['local.tags']).toContain('"rcdebug:kernel-digest" = "kernel-digest-42"');
  });

  it('reads the boot arguments of the flavor from kernel/flavors', () => {
    for (const flavor of ['common', 'kasan', 'kcsan']) {
      expect(existsSync(join(repoRoot, 'kernel', 'flavors', flavor, 'cmdline')), flavor).toBe(true);
    }
  });
});

describe('full validation with the Amazon plugin (offline)', () => {
  const withPlugin = () => {
    realTool('packer-plugin-amazon');
    return { PACKER_PLUGIN_PATH: packerPluginDir(cacheDir) };
  };
  const imageVars = vars;
  const { kernel_release: _imageOnly, ...kernelVars } = vars;
  const cases = [
    { template: 'kernel-build.pkr.hcl', v: kernelVars as Record<string, string> },
    { template: 'image-bake.pkr.hcl', v: imageVars as Record<string, string> },
  ];

  it.each(cases)('$template: packer init finds the plugin without the network', ({ template }) => {
    const r = runTool(realTool('packer'), ['init', template], { cwd: awsDir, env: withPlugin() });
    expect(r.status, r.output).toBe(0);
  });

  it.each(cases)('$template: packer validate accepts the variables the activity passes', ({ template, v }) => {
    const r = runTool(realTool('packer'), ['validate', ...varArgs(v), template], { cwd: awsDir, env: withPlugin() });
    expect(r.status, r.output).toBe(0);
  });

  it.each([
    { name: 'the common fragments as a flavor', change: { flavor: 'common' }, message: 'The flavor must be a lower-case name' },
    { name: 'a digest with a slash', change: { digest: 'abc/../../etc/passwd' }, message: 'The digest must be 8 to 128 characters' },
    { name: 'a Kubernetes patch version', change: { k8s_version: '1.33.2' }, message: 'The Kubernetes version is major.minor' },
  ])('image-bake refuses $name', ({ change, message }) => {
    const r = runTool(realTool('packer'), ['validate', ...varArgs({ ...imageVars, ...change }), 'image-bake.pkr.hcl'], { cwd: awsDir, env: withPlugin() });
    expect(r.status).not.toBe(0);
    expect(r.output.replace(/\s+/g, ' ')).toContain(message);
  });

  it('catches a builder setting the amazon-ebs builder does not have', () => {
    const copy = join(scratch, 'unknown-setting.pkr.hcl');
    writeFileSync(copy, readFileSync(join(awsDir, 'image-bake.pkr.hcl'), 'utf8').replace('ssh_username    = "ec2-user"', 'ssh_username    = "ec2-user"\n  ssh_user_name   = "ec2-user"'));
    const r = runTool(realTool('packer'), ['validate', ...varArgs({ ...imageVars, scripts_dir: join(packerRoot, 'scripts'), kernel_dir: join(repoRoot, 'kernel') }), copy], { env: withPlugin() });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('ssh_user_name');
  });
});

describe('copies of the templates outside the repository', () => {
  it('still find their scripts when told where they are', () => {
    const copy = join(scratch, 'elsewhere');
    cpSync(awsDir, copy, { recursive: true });
    const got = inspect(join(copy, 'image-bake.pkr.hcl'), { ...vars, scripts_dir: join(packerRoot, 'scripts'), kernel_dir: join(repoRoot, 'kernel') });
    expect(got['local.scripts_dir']).toBe(join(packerRoot, 'scripts'));
    expect(got['local.kernel_dir']).toBe(join(repoRoot, 'kernel'));
  });
});
