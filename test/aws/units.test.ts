import { describe, expect, it } from 'vitest';
import { lastRunBuild, packerProgress, parsePackerLine } from '../../activities/iac/packer';
import { amiFromArtifactId } from '../../activities/providers/aws/packer';
import { resolveAwsConfig } from '../../activities/providers/aws/config';
import { decodeEksToken, eksToken } from '../../activities/providers/aws/eks-token';
import { classifyAwsError } from '../../activities/providers/aws/errors';
import { kubeconfigYaml } from '../../activities/iac/kubeconfig';
import { isInfraError, isUserError } from '../../src/domain/errors';

describe('packer machine-readable output', () => {
  it.each([
    { line: '1732464000,amazon-ebs.x,ui,say,==> amazon-ebs.x: Waiting for AMI to become ready...', progress: 'packer: ==> amazon-ebs.x: Waiting for AMI to become ready...' },
    { line: '1732464000,,ui,message,    amazon-ebs.x: a%!(PACKER_COMMA) b\\nlast line', progress: 'packer: last line' },
    { line: '1732464000,amazon-ebs.x,artifact,0,id,eu-west-1:ami-0abc', progress: undefined },
    { line: 'not machine readable', progress: undefined },
    { line: '1732464000,,ui,say,', progress: undefined },
  ])('$line', ({ line, progress }) => {
    expect(packerProgress(line)?.message).toBe(progress);
  });

  it('unescapes commas and newlines in data', () => {
    expect(parsePackerLine('1,t,ui,error,a%!(PACKER_COMMA)b\\nc')?.data).toEqual(['error', 'a,b\nc']);
  });

  it.each([
    { id: 'eu-west-1:ami-0123', region: 'eu-west-1', ami: 'ami-0123' },
    { id: 'us-east-1:ami-1,eu-west-1:ami-2', region: 'eu-west-1', ami: 'ami-2' },
    { id: 'us-east-1:ami-1', region: 'eu-west-1', ami: undefined },
    { id: '', region: 'eu-west-1', ami: undefined },
  ])('artifact id $id in $region', ({ id, region, ami }) => {
    if (ami) expect(amiFromArtifactId(id, region)).toBe(ami);
    else expect(() => amiFromArtifactId(id, region)).toThrow(/no AMI in eu-west-1/);
  });

  it('takes the build of the last run from a manifest that accumulated runs', () => {
    const m = JSON.stringify({
      builds: [
        { name: 'a', builder_type: 'amazon-ebs', artifact_id: 'eu-west-1:ami-old', packer_run_uuid: 'r1' },
        { name: 'a', builder_type: 'amazon-ebs', artifact_id: 'eu-west-1:ami-new', packer_run_uuid: 'r2' },
      ],
      last_run_uuid: 'r2',
    });
    expect(lastRunBuild(m, 'm.json').artifact_id).toBe('eu-west-1:ami-new');
    expect(() => lastRunBuild('{', 'm.json')).toThrow(/not JSON/);
    expect(() => lastRunBuild('{"builds":[]}', 'm.json')).toThrow(/no build/);
  });
});

describe('AWS error classification', () => {
  const err = (name: string, status: number, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status }, ...extra });
  it.each([
    { e: err('ThrottlingException', 400), family: 'infra' },
    { e: err('RequestLimitExceeded', 503), family: 'infra' },
    { e: err('TooManyRequestsException', 429), family: 'infra' },
    { e: err('InternalServerError', 500), family: 'infra' },
    { e: err('SomethingNew', 502), family: 'infra' },
    { e: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), family: 'infra' },
    { e: err('ExpiredTokenException', 400), family: 'user', hint: 'refresh the credentials' },
    { e: err('AccessDeniedException', 400), family: 'user', hint: 'lacks a permission' },
    { e: err('UnauthorizedOperation', 403), family: 'user', hint: 'lacks a permission' },
    { e: err('ParameterNotFound', 400), family: 'user', hint: 'was published' },
    { e: err('InvalidAMIID.NotFound', 400), family: 'user', hint: 'check the id and the region' },
    { e: err('ValidationException', 400), family: 'user', hint: 'invalid' },
    { e: err('CredentialsProviderError', 0), family: 'user', hint: 'AWS_ACCESS_KEY_ID' },
    { e: err('ConflictException', 409), family: 'infra' },
  ])('$e.name → $family', ({ e, family, hint }) => {
    const c = classifyAwsError(e, 'EC2 DescribeImages ami-1');
    expect(family === 'user' ? isUserError(c) : isInfraError(c)).toBe(true);
    expect(c.message).toContain('EC2 DescribeImages ami-1');
    if (hint) expect(c.message).toContain(hint);
  });
});

describe('AWS configuration', () => {
  it.each([
    { region: 'eu-west-1', endpoint: undefined, ok: true },
    { region: 'us-gov-west-1', endpoint: 'http://127.0.0.1:5000', ok: true },
    { region: 'westeurope', endpoint: undefined, ok: false, field: 'AWS_REGION' },
    { region: 'eu-west-1', endpoint: 'not a url', ok: false, field: 'AWS_ENDPOINT_URL' },
  ])('region $region endpoint $endpoint', ({ region, endpoint, ok, field }) => {
    if (ok) expect(resolveAwsConfig({ region, endpoint }).region).toBe(region);
    else {
      const e = (() => {
        try {
          resolveAwsConfig({ region, endpoint });
        } catch (x) {
          return x;
        }
      })();
      expect(isUserError(e)).toBe(true);
      expect((e as { field?: string }).field).toBe(field);
    }
  });

  it('no region at all names AWS_REGION', () => {
    const saved = [process.env.AWS_REGION, process.env.AWS_DEFAULT_REGION];
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      expect(() => resolveAwsConfig()).toThrow(/set AWS_REGION/);
    } finally {
      if (saved[0] !== undefined) process.env.AWS_REGION = saved[0];
      if (saved[1] !== undefined) process.env.AWS_DEFAULT_REGION = saved[1];
    }
  });
});

describe('EKS token and kubeconfig', () => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' };
  it('is a presigned STS GetCallerIdentity URL that signs the cluster header', async () => {
    const token = await eksToken({ clusterName: 'apps', region: 'eu-west-1', credentials, now: new Date('2026-11-24T18:00:00Z') });
    expect(token).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+$/);
    const url = decodeEksToken(token);
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    const q = url.searchParams;
    expect(q.get('Action')).toBe('GetCallerIdentity');
    expect(q.get('Version')).toBe('2011-06-15');
    expect(q.get('X-Amz-Expires')).toBe('60');
    expect(q.get('X-Amz-Date')).toBe('20261124T180000Z');
    expect(q.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20261124/eu-west-1/sts/aws4_request');
    expect(q.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(q.get('X-Amz-Security-Token')).toBe('session');
    expect(q.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    // Another cluster, another signature: the header is signed.
    const other = decodeEksToken(await eksToken({ clusterName: 'cp', region: 'eu-west-1', credentials, now: new Date('2026-11-24T18:00:00Z') }));
    expect(other.searchParams.get('X-Amz-Signature')).not.toBe(q.get('X-Amz-Signature'));
  });

  it('kubeconfig carries endpoint, CA and token for one context', () => {
    const yaml = kubeconfigYaml({ name: 'apps', endpoint: 'https://x.eks', caPem: 'PEM', token: 'k8s-aws-v1.abc' });
    expect(yaml).toContain('server: https://x.eks');
    expect(yaml).toContain(`certificate-authority-data: ${Buffer.from('PEM').toString('base64')}`);
    expect(yaml).toContain('token: k8s-aws-v1.abc');
    expect(yaml).toContain('current-context: apps');
  });
});
