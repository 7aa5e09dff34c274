import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { DescribeImagesCommand, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { ListClustersCommand } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsProvider } from '../../activities/providers/aws/index';
import { awsClients, type AwsClients } from '../../activities/providers/aws/config';
import type { ClusterProvisionOutput, CloudProvider, ImageBakeOutput, KernelBuildOutput } from '../../src/domain/contract';
import { isInfraError, isUserError } from '../../src/domain/errors';
import { restThrottle } from '../support/moto';
import { recordingIO, startRehearsal, stepContext, type Rehearsal } from './rehearsal';

let r: Rehearsal;
let clients: AwsClients;
let provider: CloudProvider;
// Every stand-in run starts Node and the AWS SDK: slow on a busy 2-core machine.
const SLOW_MS = 300_000;

/** Clients through the fault proxy, so tests can throttle the provider's calls. */
const connectViaProxy = async (region: string) =>
  awsClients({ region, endpoint: r.proxy.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 3 });

beforeAll(async () => {
  r = await startRehearsal();
  clients = awsClients({ region: 'eu-west-1', endpoint: r.moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  provider = createAwsProvider({ connect: connectViaProxy, pollMs: 20, options: { stateDir: r.stateDir, kmemleakWaitSeconds: 1 } });
});
afterAll(async () => {
  clients?.destroy();
  await r?.close();
});

describe('aws provider steps against moto with the recording stand-ins', () => {
  const ctx = () => stepContext(r, 'aws-steps-kasan');
  let kernel: KernelBuildOutput;
  let image: ImageBakeOutput;
  let cluster: ClusterProvisionOutput;

  it('kernel-build runs packer with the template variables and reads build.json', async () => {
    const io = recordingIO();
    kernel = await provider.kernelBuild({ ctx: ctx() }, io);
    expect(kernel).toMatchObject({ kernelRelease: '6.1.119-rcdebug-kasan', configDigest: `sha256:${'c'.repeat(64)}`, cacheHit: false });
    expect(kernel.digest).toMatch(/^[0-9a-f]{40}$/);
    expect(kernel.artifacts.log).toBe(`s3://${r.bucket}/kernels/kasan/${kernel.digest}/build.log`);
    const packer = r.calls().filter((c) => c.tool === 'packer');
    expect(packer.map((c) => c.argv[0])).toEqual(['init', 'build']);
    const build = packer[1]!.argv;
    expect(build.slice(0, 4)).toEqual(['build', '-machine-readable', '-timestamp-ui', '-color=false']);
    expect(build.at(-1)).toMatch(/packer\/aws\/kernel-build\.pkr\.hcl$/);
    expect(build).toEqual(expect.arrayContaining([`digest=${kernel.digest}`, `source_ami=${r.sourceAmi}`, 'k8s_version=1.33', `bucket=${r.bucket}`, 'flavor=kasan', 'region=eu-west-1']));
    expect(io.messages[0]).toBe('resolving the EKS AL2023 source AMI');
  }, SLOW_MS);

  it('image-bake reads the AMI id from the Packer manifest and checks it with DescribeImages', async () => {
    image = await provider.imageBake({ ctx: ctx(), kernel }, recordingIO());
    expect(image.imageId).toMatch(/^ami-[0-9a-f]+$/);
    expect(image.cacheHit).toBe(false);
    const described = await clients.ec2.send(new DescribeImagesCommand({ ImageIds: [image.imageId] }));
    const tags = Object.fromEntries((described.Images?.[0]?.Tags ?? []).map((t) => [t.Key, t.Value]));
    expect(tags).toMatchObject({ 'rcdebug:digest': image.digest, 'rcdebug:kernel-release': '6.1.119-rcdebug-kasan', 'rcdebug:kernel-digest': kernel.digest });
  }, SLOW_MS);

  it('version-publish writes the SSM record; a rerun of build and bake is a cache hit with no packer call', async () => {
    const out = await provider.versionPublish({ ctx: ctx(), kernel, image }, recordingIO());
    expect(out.latest).toBe('/rcdebug/aws/kasan/latest');
    expect(out.rcPointer).toBe('/rcdebug/rc/v1.4.0-rc2/aws/kasan');
    expect(out.paths).toContain(`/rcdebug/aws/kasan/6.1.119-rcdebug-kasan/${image.digest}/image-id`);
    const before = r.calls().length;
    const again = await provider.kernelBuild({ ctx: ctx() }, recordingIO());
    expect(again).toMatchObject({ digest: kernel.digest, kernelRelease: kernel.kernelRelease, cacheHit: true });
    const bakedAgain = await provider.imageBake({ ctx: ctx(), kernel: again }, recordingIO());
    expect(bakedAgain).toMatchObject({ imageId: image.imageId, cacheHit: true });
    expect(r.calls().length).toBe(before);
  }, SLOW_MS);

  it('cluster-provision applies terraform in the cycle workspace and waits for EKS (throttled twice on the way)', async () => {
    r.proxy.inject(restThrottle, 2, (op) => op.startsWith('GET /clusters/'));
    const io = recordingIO();
    cluster = await provider.clusterProvision({ ctx: ctx(), kernel, image }, io);
    const tf = r.calls().filter((c) => c.tool === 'terraform').map((c) => c.argv);
    expect(tf.map((a) => a.slice(0, 2).join(' '))).toEqual(['init -input=false', 'workspace select', 'apply -auto-approve', 'output -json']);
    expect(tf[0]).toEqual(expect.arrayContaining([`-backend-config=bucket=${r.bucket}`, '-backend-config=key=rcdebug/aws.tfstate', '-backend-config=region=eu-west-1', '-backend-config=workspace_key_prefix=cycles']));
    expect(tf[1]).toEqual(['workspace', 'select', '-or-create', 'aws-steps-kasan']);
    expect(r.calls().find((c) => c.tool === 'terraform')?.env.TF_DATA_DIR).toContain(r.stateDir);
    expect(cluster.details).toMatchObject({ workspace: 'aws-steps-kasan', imageId: image.imageId, kernelRelease: '6.1.119-rcdebug-kasan', logGroup: '/rcdebug/aws-steps-kasan' });
    expect(cluster.details.workloadCluster).toMatch(/^riptides-debug-apps-[0-9a-f]{8}$/);
    expect(cluster.details.cpCluster).toMatch(/^riptides-controlplane-[0-9a-f]{8}$/);
    expect(cluster.nodes).toHaveLength(2);
    expect(cluster.nodes[0]?.details?.imageId).toBe(image.imageId);
    expect(io.messages.some((m) => m.includes(`EKS node group ${cluster.details.workloadCluster}`) && m.includes('ACTIVE'))).toBe(true);
  }, SLOW_MS);

  it('deploy runs helm upgrade --install per deployment with a private kubeconfig holding an EKS token, removed afterwards', async () => {
    const out = await provider.deploy({ ctx: ctx(), cluster }, recordingIO());
    expect(out.releases).toEqual([
      `${cluster.details.cpCluster}/debug-cp/controlplane@v0.1.9`,
      `${cluster.details.workloadCluster}/riptides-system/agent@v0.1.17`,
    ]);
    const helm = r.calls().filter((c) => c.tool === 'helm');
    expect(helm).toHaveLength(2);
    const argv = helm[1]!.argv;
    expect(argv.slice(0, 4)).toEqual(['upgrade', '--install', 'agent', 'oci://ghcr.io/riptideslabs/helm/agent']);
    expect(argv).toEqual(expect.arrayContaining(['--version', 'v0.1.17', '--namespace', 'riptides-system', '--create-namespace', '--atomic', '--wait']));
    expect(argv[argv.indexOf('--values') + 1]).toBe(`${r.dir}/manifest/agent-values.yaml`);
    expect(helm[1]!.kubeconfig).toMatchObject({ exists: true, mode: '600', hasEksToken: true });
    const kubeconfig = argv[argv.indexOf('--kubeconfig') + 1]!;
    expect(kubeconfig.startsWith(r.dir)).toBe(false);
    expect(existsSync(kubeconfig)).toBe(false);
    // Nothing the stand-ins recorded carries the token.
    expect(JSON.stringify(r.calls())).not.toContain('k8s-aws-v1.');
  }, SLOW_MS);

  it('soak-check reports node health and runs a kmemleak double scan through SSM', async () => {
    const out = await provider.soakCheck({ ctx: ctx(), cluster, tick: 1, scan: true, elapsedSeconds: 5 }, recordingIO());
    expect(out.panicked).toBe(false);
    expect(out.nodes).toHaveLength(2);
    for (const n of out.nodes) {
      expect(n.healthy).toBe(true);
      expect(n.detail).toContain('(the debug image)');
      expect(n.detail).toContain('kmemleak:');
    }
  }, SLOW_MS);

  it('log-harvest turns the CloudWatch streams and console output into findings', async () => {
    const out = await provider.logHarvest({ ctx: ctx(), kernel, image, cluster }, recordingIO());
    expect(out.verdict).toBe('findings');
    expect(out.findings.map((f) => f.title)).toContain('KASAN: use-after-free Read in kbug_uaf_read');
    // The stand-in put the report on one node's kernel stream; the other node stays clean.
    const [node] = out.findings[0]?.nodes ?? [];
    expect(out.findings[0]?.nodes).toHaveLength(1);
    expect(cluster.nodes.map((n) => n.name)).toContain(node);
    expect(out.reports.markdown).toBe(`s3://${r.bucket}/artifacts/aws-steps-kasan/reports/findings.md`);
    expect(Object.values(out.nodes).sort()).toEqual(['clean', 'findings']);
    expect(out.nodes[node!]).toBe('findings');
  }, SLOW_MS);

  it('teardown destroys the workspace; a second teardown finds nothing and succeeds', async () => {
    const out = await provider.teardown({ ctx: ctx(), cluster }, recordingIO());
    expect(out.removed).toContain('terraform workspace aws-steps-kasan');
    const tf = r.calls().filter((c) => c.tool === 'terraform').map((c) => c.argv.slice(0, 3).join(' '));
    expect(tf.slice(-5)).toEqual(['init -input=false -reconfigure', 'workspace select aws-steps-kasan', 'destroy -auto-approve -input=false', 'workspace select default', 'workspace delete aws-steps-kasan']);
    const left = await clients.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:rcdebug:cycle', Values: ['aws-steps-kasan'] }, { Name: 'instance-state-name', Values: ['running'] }] }));
    expect(left.Reservations?.flatMap((x) => x.Instances ?? [])).toEqual([]);
    expect((await clients.eks.send(new ListClustersCommand({}))).clusters).toEqual([]);
    expect(await provider.teardown({ ctx: ctx(), cluster }, recordingIO())).toEqual({ removed: [] });
  }, SLOW_MS);
});

describe('aws provider: bad input is a UserError before any tool runs; AWS trouble is an InfraError', () => {
  it.each([
    { name: 'no region anywhere', make: () => createAwsProvider({ options: { stateDir: r.stateDir, region: undefined } }), manifest: 'local', field: 'workloadCluster' },
    { name: 'EKS version without an AMI parameter', make: () => createAwsProvider({ connect: connectViaProxy, options: { stateDir: r.stateDir, kubernetesVersion: '1.99' } }), manifest: 'ok', field: 'RCDEBUG_EKS_VERSION' },
    { name: 'no artifacts bucket', make: () => createAwsProvider({ connect: connectViaProxy, options: { stateDir: r.stateDir, bucket: undefined } }), manifest: 'ok', field: 'RCDEBUG_AWS_BUCKET' },
    { name: 'invalid manifest', make: () => createAwsProvider({ connect: connectViaProxy, options: { stateDir: r.stateDir } }), manifest: 'bad', field: 'workloadCluster.deployments.agent.version' },
  ])('$name', async ({ make, manifest, field }) => {
    const { writeFileSync } = await import('node:fs');
    const path = `${r.dir}/manifest/case.yaml`;
    writeFileSync(path, manifest === 'ok' ? (await import('./rehearsal')).MANIFEST : manifest === 'bad'
      ? (await import('./rehearsal')).MANIFEST.replace('v0.1.17', 'latest')
      : 'local:\n  nodes: [{ name: n1, modules: [] }]\n');
    const before = r.calls().length;
    const err = await make().kernelBuild({ ctx: stepContext(r, 'aws-bad', { manifest: path }) }, recordingIO()).catch((e: unknown) => e);
    expect(isUserError(err), String(err)).toBe(true);
    expect((err as { field?: string }).field).toBe(field);
    expect(r.calls().length).toBe(before);
  });

  it('missing credentials are a UserError naming what to set', async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_SHARED_CREDENTIALS_FILE = `${r.dir}/no-credentials`;
    process.env.AWS_CONFIG_FILE = `${r.dir}/no-config`;
    try {
      const err = await createAwsProvider({ options: { stateDir: r.stateDir } }).kernelBuild({ ctx: stepContext(r, 'aws-nocreds') }, recordingIO()).catch((e: unknown) => e);
      expect(isUserError(err), String(err)).toBe(true);
      expect((err as Error).message).toContain('no AWS credentials found');
    } finally {
      process.env.AWS_ACCESS_KEY_ID = saved.id;
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
      delete process.env.AWS_SHARED_CREDENTIALS_FILE;
      delete process.env.AWS_CONFIG_FILE;
    }
  }, SLOW_MS);

  it('a chart that is not in the registry fails deploy with a UserError naming the field', async () => {
    const p = createAwsProvider({ connect: connectViaProxy, pollMs: 20, options: { stateDir: r.stateDir } });
    const c = stepContext(r, 'aws-nochart');
    const kernel = await p.kernelBuild({ ctx: c }, recordingIO());
    const image = await p.imageBake({ ctx: c, kernel }, recordingIO());
    const cluster = await p.clusterProvision({ ctx: c, kernel, image }, recordingIO());
    try {
      process.env.RCDEBUG_STANDIN_CHARTS = 'ghcr.io/riptideslabs/helm/controlplane:v0.1.9';
      const err = await p.deploy({ ctx: c, cluster }, recordingIO()).catch((e: unknown) => e);
      expect(isUserError(err), String(err)).toBe(true);
      expect((err as { field?: string }).field).toBe('workloadCluster.deployments.agent.chart');
      expect((err as Error).message).toContain('oci://ghcr.io/riptideslabs/helm/agent version v0.1.17 is not in the registry');
    } finally {
      process.env.RCDEBUG_STANDIN_CHARTS = r.env.RCDEBUG_STANDIN_CHARTS;
      await p.teardown({ ctx: c, cluster }, recordingIO());
    }
  }, SLOW_MS);

  it('persistent EKS throttling during the wait is an InfraError (retried by the activity), not a finding', async () => {
    const p = createAwsProvider({ connect: connectViaProxy, pollMs: 20, options: { stateDir: r.stateDir } });
    const manifest = `${r.dir}/manifest/throttled.yaml`;
    copyFileSync(r.manifest, manifest);
    const c = stepContext(r, 'aws-throttled', { manifest });
    const kernel = await p.kernelBuild({ ctx: c }, recordingIO());
    const image = await p.imageBake({ ctx: c, kernel }, recordingIO());
    r.proxy.inject(restThrottle, 3, (op) => op.startsWith('GET /clusters/'));
    try {
      const err = await p.clusterProvision({ ctx: c, kernel, image }, recordingIO()).catch((e: unknown) => e);
      expect(isInfraError(err), String(err)).toBe(true);
      expect((err as Error).message).toContain('TooManyRequestsException');
    } finally {
      // Teardown needs no valid manifest: a cycle that failed on one is still torn down.
      writeFileSync(manifest, 'workloadCluster: [broken\n');
      const out = await p.teardown({ ctx: c }, recordingIO());
      expect(out.removed).toEqual(['terraform workspace aws-throttled']);
    }
  }, SLOW_MS);
});
