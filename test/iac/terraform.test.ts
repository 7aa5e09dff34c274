import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { repoRoot } from '../../src/domain/paths';
import { realTool, runTool } from './real-tool';

const tfRoot = join(repoRoot, 'terraform');
const stack = join(tfRoot, 'aws');
const eksModule = join(tfRoot, 'modules', 'aws-eks-cluster');

// The machine's CLI config may point at a file that does not exist; tofu then warns on
// every run. None of these checks needs a CLI config.
const tofuEnv = { TF_CLI_CONFIG_FILE: '/dev/null' };

const requiredVars = { cycle_id: 'rc-v1.4.0-rc2-aws-kasan', rc: 'v1.4.0-rc2', flavor: 'kasan', region: 'eu-west-1', debug_ami_id: 'ami-0123456789abcdef0' };

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'rcdebug-tofu-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Evaluates an expression with `tofu console` in a directory holding only the given files of
 * the stack: variables and locals need no provider, so this runs offline without `init`.
 * The value comes back base64-encoded JSON, which survives the console's quoting.
 */
function evaluate(files: string[], expr: string, vars: Record<string, string>): { value?: unknown; output: string } {
  const dir = mkdtempSync(join(scratch, 'console-'));
  for (const f of files) copyFileSync(f, join(dir, f.split('/').pop() ?? f));
  const args = ['console', '-no-color', ...Object.entries(vars).flatMap(([k, v]) => ['-var', `${k}=${v}`])];
  const r = runTool(realTool('tofu'), args, { cwd: dir, env: tofuEnv, input: `base64encode(jsonencode(${expr}))\n` });
  const m = /^"([A-Za-z0-9+/=]+)"$/m.exec(r.stdout);
  return { value: m?.[1] ? JSON.parse(Buffer.from(m[1], 'base64').toString('utf8')) : undefined, output: r.output };
}

const stackLocals = [join(stack, 'variables.tf'), join(stack, 'locals.tf')];

interface Names {
  cp: string;
  wl: string;
  slug: string;
  logGroup: string;
  tags: Record<string, string>;
}

function names(cycleId: string): Names {
  const { value, output } = evaluate(stackLocals, '{cp = local.cp_name, wl = local.wl_name, slug = local.cycle_slug, logGroup = local.log_group, tags = local.tags}', { ...requiredVars, cycle_id: cycleId });
  if (!value) throw new Error(output);
  return value as Names;
}

describe('terraform/ formatting', () => {
  it('is tofu fmt clean', () => {
    const r = runTool(realTool('tofu'), ['fmt', '-check', '-recursive', tfRoot], { env: tofuEnv });
    expect(r.status, `run: tofu fmt -recursive terraform/\n${r.output}`).toBe(0);
  });

  it('an unformatted file fails tofu fmt -check, naming it', () => {
    const dir = join(scratch, 'messy');
    cpSync(stack, dir, { recursive: true });
    writeFileSync(join(dir, 'logs.tf'), readFileSync(join(stack, 'logs.tf'), 'utf8').replace('retention_in_days = var', 'retention_in_days    = var'));
    const r = runTool(realTool('tofu'), ['fmt', '-check', dir], { env: tofuEnv });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('logs.tf');
  });

  it('a syntax error fails tofu fmt', () => {
    const dir = join(scratch, 'broken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'main.tf'), readFileSync(join(stack, 'vpc.tf'), 'utf8').replace(/\n}\s*$/, '\n'));
    const r = runTool(realTool('tofu'), ['fmt', '-check', '-no-color', dir], { env: tofuEnv });
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/main\.tf/);
  });
});

describe('the stack', () => {
  it('keeps state in S3 through a partial backend configuration and tags everything by default', () => {
    const versions = readFileSync(join(stack, 'versions.tf'), 'utf8');
    expect(versions).toMatch(/backend "s3" \{\}/);
    expect(versions).toMatch(/source\s+= "hashicorp\/aws"\s+version\s+= "~> \d+\.\d+"/);
    expect(versions).toMatch(/default_tags \{\s+tags = local\.tags\s+\}/);
    const example = readFileSync(join(stack, 'backend.tfbackend.example'), 'utf8');
    for (const key of ['bucket', 'key', 'region', 'workspace_key_prefix', 'use_lockfile']) expect(example).toMatch(new RegExp(`^${key}\\s+=`, 'm'));
  });

  it('tags every resource with the cycle', () => {
    const n = names('rc-v1.4.0-rc2-aws-kasan');
    expect(n.tags).toMatchObject({ 'rcdebug:cycle': 'rc-v1.4.0-rc2-aws-kasan', 'rcdebug:managed': 'true', 'rcdebug:rc': 'v1.4.0-rc2', 'rcdebug:flavor': 'kasan' });
  });

  it.each([
    { name: 'plain id', id: 'rc-v1.4.0-rc2-aws-kasan' },
    { name: 'upper case, slashes and colons', id: 'RC/v1.4.0-rc2:aws:KASAN' },
    { name: 'a very long id', id: `cycle-${'x'.repeat(200)}` },
  ])('derives valid, short cluster, role and log group names from a cycle id ($name)', ({ id }) => {
    const n = names(id);
    for (const cluster of [n.cp, n.wl]) {
      expect(cluster).toMatch(/^[0-9A-Za-z][A-Za-z0-9_-]*$/);
      expect(cluster.length).toBeLessThanOrEqual(64);
    }
    // The module names roles rcdebug-<slug>-cp-cluster and rcdebug-<slug>-wl-node: IAM allows 64.
    expect(`rcdebug-${n.slug}-cp-cluster`.length).toBeLessThanOrEqual(64);
    expect(n.logGroup).toBe(`/rcdebug/${n.slug}`);
  });

  it('gives sibling cycles (same rc, other flavor) different names', () => {
    const kasan = names('rc-v1.4.0-rc2-nightly-20261124-aws-kasan');
    const kcsan = names('rc-v1.4.0-rc2-nightly-20261124-aws-kcsan');
    expect(kasan.slug).not.toBe(kcsan.slug);
    expect(kasan.wl).not.toBe(kcsan.wl);
  });

  // tofu console reports a failed validation but still evaluates; plan and apply stop there.
  it('refuses a debug AMI that is not an AMI id', () => {
    expect(evaluate(stackLocals, 'var.debug_ami_id', requiredVars).output).not.toContain('Invalid value for variable');
    // The placeholder teardown and the janitor pass to `destroy` when the cycle's variables are gone.
    expect(evaluate(stackLocals, 'var.debug_ami_id', { ...requiredVars, debug_ami_id: 'ami-00000000' }).output).not.toContain('Invalid value for variable');
    const { output } = evaluate(stackLocals, 'var.debug_ami_id', { ...requiredVars, debug_ami_id: 'my-image' });
    expect(output).toContain('Invalid value for variable');
    expect(output).toContain('debug_ami_id must be an AMI id');
  });

  it('the module only creates roles the worker policy lets it manage (rcdebug-*)', () => {
    const moduleVars = [join(eksModule, 'variables.tf')];
    const base = { name: 'apps', k8s_version: '1.33', subnet_ids: '["a","b"]', service_cidr: '172.20.0.0/16', endpoint_public_access_cidrs: '[]', instance_types: '["m6i.large"]', node_count: '2' };
    expect(evaluate(moduleVars, 'var.role_name_prefix', { ...base, role_name_prefix: 'rcdebug-abc-wl' }).output).not.toContain('Invalid value for variable');
    const bad = evaluate(moduleVars, 'var.role_name_prefix', { ...base, role_name_prefix: 'apps' });
    expect(bad.output).toContain('Invalid value for variable');
    expect(bad.output).toContain('role_name_prefix starts with rcdebug-');
  });

  it('has the outputs the cluster-provision activity reads', () => {
    const outputs = [...readFileSync(join(stack, 'outputs.tf'), 'utf8').matchAll(/^output "(\w+)"/gm)].map((m) => m[1]);
    expect(outputs.sort()).toEqual(
      ['cp_cluster_ca', 'cp_cluster_endpoint', 'cp_cluster_name', 'cp_node_group_name', 'cycle_id', 'debug_ami_id', 'log_group', 'region', 'vpc_id', 'workload_cluster_ca', 'workload_cluster_endpoint', 'workload_cluster_name', 'workload_node_group_name'].sort(),
    );
  });

  it('uses only the aws provider and the shared module', () => {
    for (const f of readdirSync(stack).filter((f) => f.endsWith('.tf'))) {
      const text = readFileSync(join(stack, f), 'utf8');
      for (const m of text.matchAll(/^(?:resource|data) "(\w+?)_/gm)) expect(m[1], `${f}: ${m[0]}`).toBe('aws');
      for (const m of text.matchAll(/source\s+= "(\.\.?\/[^"]+)"/g)) expect(m[1]).toBe('../modules/aws-eks-cluster');
    }
  });
});

describe('workload node user data', () => {
  function render(script: string, labels: string): string {
    const expr = `base64decode(base64encode(templatefile("${join(eksModule, 'templates', 'nodeadm-user-data.tftpl')}", {
      cluster_name = "apps-rc1", api_server_endpoint = "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
      certificate_authority = "Y2VydA==", service_cidr = "172.20.0.0/16", node_labels = "${labels}", script = ${JSON.stringify(script)} })))`;
    const { value, output } = evaluate([join(stack, 'variables.tf')], expr, requiredVars);
    if (typeof value !== 'string') throw new Error(output);
    return value;
  }

  function parts(mime: string): { type: string; body: string }[] {
    const boundary = /boundary="([^"]+)"/.exec(mime)?.[1];
    if (!boundary) throw new Error(`no boundary in:\n${mime}`);
    expect(mime.trimEnd().endsWith(`--${boundary}--`)).toBe(true);
    return mime
      .split(`--${boundary}`)
      .slice(1, -1)
      .map((p) => {
        const [head = '', ...rest] = p.replace(/^\n/, '').split('\n\n');
        return { type: /Content-Type: ([^;\n]+)/.exec(head)?.[1] ?? '', body: rest.join('\n\n') };
      });
  }

  it('is a MIME multipart NodeConfig for nodeadm plus the log shipping script', () => {
    const script = readFileSync(join(stack, 'templates', 'configure-logs.sh.tftpl'), 'utf8').replace('${log_group}', '/rcdebug/rc1-abcd');
    const p = parts(render(script, 'rcdebug.io/flavor=kasan,rcdebug.io/role=workload'));
    expect(p.map((x) => x.type)).toEqual(['application/node.eks.aws', 'text/x-shellscript']);
    const nodeConfig = parseYaml(p[0]?.body ?? '') as { apiVersion: string; kind: string; spec: { cluster: Record<string, string>; kubelet: { flags: string[] } } };
    expect(nodeConfig.apiVersion).toBe('node.eks.aws/v1alpha1');
    expect(nodeConfig.kind).toBe('NodeConfig');
    expect(nodeConfig.spec.cluster).toEqual({ name: 'apps-rc1', apiServerEndpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com', certificateAuthority: 'Y2VydA==', cidr: '172.20.0.0/16' });
    expect(nodeConfig.spec.kubelet.flags).toEqual(['--node-labels=rcdebug.io/flavor=kasan,rcdebug.io/role=workload']);
    expect(p[1]?.body).toMatch(/^#!\/bin\/bash\n/);
    expect(p[1]?.body).toContain("/usr/local/sbin/rcdebug-configure-logs '/rcdebug/rc1-abcd'");
  });

  it('has only the NodeConfig when there is no script and no labels', () => {
    const p = parts(render('', ''));
    expect(p.map((x) => x.type)).toEqual(['application/node.eks.aws']);
    expect(parseYaml(p[0]?.body ?? '')).not.toHaveProperty('spec.kubelet');
  });
});
