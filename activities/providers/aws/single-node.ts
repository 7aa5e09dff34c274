import type { SingleNodeSteps } from '../../../src/domain/validate';
import type { AwsDeps } from './deps';
import { awsNodeBoot } from './node-boot';
import { awsNodeReport } from './node-report';
import { awsNodeTeardown } from './node-teardown';
import { awsNodeTest } from './node-test';

/** validateMain's single-node steps on aws: one EC2 instance of the debug AMI, tests through SSM Run Command, the shared report. */
export function awsSingleNode(deps: AwsDeps): SingleNodeSteps {
  return {
    nodeBoot: (input, io) => awsNodeBoot(input, io, deps),
    nodeTest: (input, io) => awsNodeTest(input, io, deps),
    nodeTeardown: (input, io) => awsNodeTeardown(input, io, deps),
    nodeReport: (input, io) => awsNodeReport(input, io, deps),
  };
}
