import { join } from 'node:path';
import type { StepIO } from '../../../src/domain/contract';
import type { NodeReportInput, ValidateRunResult } from '../../../src/domain/validate';
import { validateReport } from '../../steps/validate-report';
import type { AwsDeps } from './deps';
import { safeName, withStep } from './step-context';

/** How to run the same test by hand: a node of the debug AMI, then the script's steps there. */
export function nodeReproducer(input: NodeReportInput, deps: AwsDeps): string[] {
  const d = input.node.node.details ?? {};
  const n = deps.options.node;
  const params = input.moduleParams?.trim() ?? '';
  return [
    `# one node of the debug AMI (${input.kernel.kernelRelease}), as node-boot starts it`,
    `aws ec2 run-instances --region ${d.region ?? '<region>'} --image-id ${input.image.imageId} --instance-type ${n.instanceType} --subnet-id ${n.subnet ?? '<subnet>'} --iam-instance-profile ${n.instanceProfile?.startsWith('arn:') ? 'Arn' : 'Name'}=${n.instanceProfile ?? '<profile>'} --count 1`,
    `aws ssm start-session --target <instance id>`,
    `# then, on the node, in a copy of the module at ${input.checkout.commit}: loading it runs its KUnit suites`,
    'make -C /lib/modules/$(uname -r)/build M=$PWD modules',
    `insmod ${input.ctx.module.name}.ko${params ? ` ${params}` : ''}`,
    ...(input.testCommand ? [`timeout ${input.timeoutSeconds} sh -c '${input.testCommand.replace(/'/g, `'\\''`)}'`] : []),
    '# kmemleak double scan: echo scan > /sys/kernel/debug/kmemleak; sleep 60; echo scan > /sys/kernel/debug/kmemleak; cat /sys/kernel/debug/kmemleak',
  ];
}

/** nodeReport (aws): the shared report over the cycle's S3 artifact store, with the aws reproducer. */
export function awsNodeReport(input: NodeReportInput, io: StepIO, deps: AwsDeps): Promise<ValidateRunResult> {
  const { ctx } = input;
  return withStep(ctx, deps, (s) => validateReport(input, io, {
    artifacts: s.artifacts,
    base: safeName(ctx.cycleId),
    workDir: join(deps.options.stateDir, 'validate', safeName(ctx.cycleId)),
    commands: nodeReproducer(input, deps),
  }));
}
