import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/domain/paths';

interface Statement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

const file = join(repoRoot, 'terraform', 'aws', 'worker-iam-policy.json');
const policy = JSON.parse(readFileSync(file, 'utf8')) as { Version: string; Statement: Statement[] };
const list = (x: string | string[] | undefined) => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
const allActions = policy.Statement.flatMap((s) => list(s.Action));

/** The TypeScript files that run in an aws worker (activities, AWS helpers, the CLI's janitor). */
function workerSources(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.ts')) out.push(join(dir, e.name));
    }
  };
  for (const dir of ['activities', 'src']) walk(join(repoRoot, dir));
  return out;
}

/** Whether a statement only applies to resources carrying rcdebug's tag. */
function tagConditioned(s: Statement): boolean {
  return Object.values(s.Condition ?? {}).some((c) => Object.keys(c).some((k) => /^(aws|ssm):(Resource|Request)Tag\/rcdebug:managed$/i.test(k)));
}

describe('the IAM policy of the rcdebug worker', () => {
  it('is a valid policy document with named statements', () => {
    expect(policy.Version).toBe('2012-10-17');
    const sids = policy.Statement.map((s) => s.Sid);
    for (const sid of sids) expect(sid).toMatch(/^[A-Za-z0-9]+$/);
    expect(new Set(sids).size).toBe(sids.length);
  });

  it('grants no wildcard actions and no NotAction', () => {
    for (const s of policy.Statement) {
      expect(s.Effect, s.Sid).toBe('Allow');
      expect(s.NotAction, s.Sid).toBeUndefined();
      for (const a of list(s.Action)) expect(a, s.Sid).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
    }
  });

  it('can only destroy what rcdebug tagged or named', () => {
    const destructive = /:(Delete|Terminate|Deregister|Stop|Detach|Disassociate|Release|Remove|Untag)/;
    for (const s of policy.Statement) {
      if (!list(s.Action).some((a) => destructive.test(a))) continue;
      const scoped = list(s.Resource).every((r) => r !== '*' && /rcdebug|RCDEBUG_|packer-/.test(r));
      expect(scoped || tagConditioned(s), `${s.Sid} deletes on ${JSON.stringify(s.Resource)} without a tag condition`).toBe(true);
    }
  });

  it('lets IAM changes touch only rcdebug roles and packer temporary profiles', () => {
    for (const s of policy.Statement.filter((st) => list(st.Action).some((a) => a.startsWith('iam:') && a !== 'iam:CreateServiceLinkedRole'))) {
      for (const r of list(s.Resource)) expect(r, s.Sid).toMatch(/^arn:aws:iam::\*:(role|instance-profile)\/(rcdebug|packer)-\*$/);
    }
  });

  it.each([
    ['the registry', ['ssm:GetParameter', 'ssm:PutParameter', 'ssm:GetParametersByPath', 'ssm:DeleteParameter']],
    ['packer', ['ec2:RunInstances', 'ec2:CreateImage', 'ec2:TerminateInstances', 'ec2:CreateKeyPair', 'iam:PassRole']],
    ['terraform', ['ec2:CreateVpc', 'ec2:CreateNatGateway', 'eks:CreateCluster', 'eks:CreateNodegroup', 'iam:CreateRole', 'iam:AttachRolePolicy', 'logs:CreateLogGroup']],
    ['waiting for clusters', ['eks:DescribeCluster', 'eks:DescribeNodegroup']],
    ['the soak', ['ssm:SendCommand', 'ssm:GetCommandInvocation', 'ec2:GetConsoleOutput']],
    ['the log harvest', ['logs:GetLogEvents', 'logs:FilterLogEvents', 's3:PutObject', 's3:GetObject']],
    ['the state backend', ['s3:ListBucket', 'dynamodb:PutItem']],
  ])('covers %s', (_what, actions) => {
    for (const a of actions) expect(allActions, a).toContain(a);
  });

  it('allows every AWS API call the code of an aws worker makes', () => {
    // IAM prefix of each SDK client package; a command XCommand is the action <prefix>:X.
    const prefixes: Record<string, string> = { ec2: 'ec2', s3: 's3', ssm: 'ssm', eks: 'eks', 'cloudwatch-logs': 'logs', sts: 'sts', iam: 'iam', dynamodb: 'dynamodb' };
    const used = new Map<string, string>();
    for (const file of workerSources()) {
      for (const m of readFileSync(file, 'utf8').matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z0-9-]+)'/g)) {
        const prefix = prefixes[m[2] ?? ''];
        expect(prefix, `${relative(repoRoot, file)} uses @aws-sdk/client-${m[2]}: add its IAM prefix here and its actions to the policy`).toBeDefined();
        for (const name of (m[1] ?? '').split(',').map((n) => n.trim().split(/\s+as\s+/)[0] ?? '')) {
          if (name.endsWith('Command')) used.set(`${prefix}:${name.slice(0, -'Command'.length)}`, relative(repoRoot, file));
        }
      }
    }
    expect(used.size).toBeGreaterThan(10);
    for (const [action, file] of used) expect(allActions, `${action} (${file})`).toContain(action);
  });

  it('fits in a role inline policy (10,240 characters without whitespace), as docs/aws.md tells people to attach it', () => {
    expect(JSON.stringify(policy).length).toBeLessThanOrEqual(10_240);
  });

  it('uses placeholders for the buckets and lock table that docs/aws.md says to replace', () => {
    const text = readFileSync(file, 'utf8');
    const docs = readFileSync(join(repoRoot, 'docs', 'aws.md'), 'utf8');
    for (const placeholder of new Set(text.match(/RCDEBUG_[A-Z_]+/g))) expect(docs, placeholder).toContain(placeholder);
  });
});
