/**
 * SSM Run Command (the AWS-RunShellScript document) as the aws steps use it: one shell script
 * sent to instances, each instance's invocation polled until it ends, heartbeating, bounded.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { CancelCommandCommand, GetCommandInvocationCommand, SendCommandCommand, type GetCommandInvocationCommandOutput } from '@aws-sdk/client-ssm';
import type { StepIO } from '../../../src/domain/contract';
import { InfraError } from '../../../src/domain/errors';
import type { AwsClients } from './config';
import { aws, awsErrorCode, classifyAwsError } from './errors';

export interface ShellCommand {
  instanceIds: string[];
  commands: string[];
  comment: string;
  /** The agent kills the script past this (the document's executionTimeout). */
  executionTimeoutSeconds: number;
  /** Full stdout/stderr to `s3://bucket/prefix/...`: the API's own copy stops at 24,000 characters. */
  output?: { bucket: string; prefix: string } | undefined;
}

/** Statuses of an invocation that is still on its way. */
const RUNNING = new Set(['Pending', 'InProgress', 'Delayed']);

/** Sends the script; returns the command id. */
export async function sendShellCommand(clients: AwsClients, c: ShellCommand): Promise<string> {
  const sent = await aws('SSM SendCommand AWS-RunShellScript', () => clients.ssm.send(new SendCommandCommand({
    DocumentName: 'AWS-RunShellScript',
    InstanceIds: c.instanceIds,
    Comment: c.comment.slice(0, 100),
    Parameters: { commands: c.commands, executionTimeout: [String(c.executionTimeoutSeconds)] },
    // Delivery: how long the command may wait for an agent that is offline.
    TimeoutSeconds: 600,
    ...(c.output ? { OutputS3BucketName: c.output.bucket, OutputS3KeyPrefix: c.output.prefix } : {}),
  })));
  const id = sent.Command?.CommandId;
  if (!id) throw new InfraError('SSM SendCommand returned no command id');
  return id;
}

export interface InvocationWait {
  io: StepIO;
  pollMs: number;
  /** Epoch milliseconds past which the wait gives up. */
  deadline: number;
  /** What the progress messages call it (`kmemleak double scan`). */
  what: string;
}

/**
 * Polls one instance's invocation until it ends; returns it, or `undefined` when the deadline
 * passed first (the caller decides: cancel and report, or retry). A cancelled step stops.
 */
export async function waitForInvocation(clients: AwsClients, commandId: string, instanceId: string, w: InvocationWait): Promise<GetCommandInvocationCommandOutput | undefined> {
  for (;;) {
    let inv: GetCommandInvocationCommandOutput | undefined;
    try {
      inv = await clients.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
    } catch (err) {
      // The invocation appears a moment after SendCommand returns.
      if (awsErrorCode(err) !== 'InvocationDoesNotExist') throw classifyAwsError(err, `SSM GetCommandInvocation ${commandId} ${instanceId}`);
    }
    const status = inv?.Status;
    if (inv && status && !RUNNING.has(status)) return inv;
    if (w.io.signal.aborted) throw new InfraError(`the ${w.what} was stopped: the step was cancelled`);
    if (Date.now() > w.deadline) return undefined;
    w.io.progress({ message: `${w.what} on ${instanceId}: ${status ?? 'starting'}` });
    await new Promise((r) => setTimeout(r, w.pollMs));
  }
}

/**
 * Cancels a command that outlived its bound, best effort: the agent's executionTimeout ends it
 * anyway, so a failed cancel is said (returned) and never fails the step.
 */
export async function cancelCommand(clients: AwsClients, commandId: string, instanceIds: string[]): Promise<string | undefined> {
  try {
    await clients.ssm.send(new CancelCommandCommand({ CommandId: commandId, InstanceIds: instanceIds }));
    return undefined;
  } catch (err) {
    return `SSM CancelCommand ${commandId}: ${awsErrorCode(err) ?? 'Error'}: ${(err as Error).message}`;
  }
}

/**
 * The whole stdout of an invocation that wrote its output to S3: the object its
 * StandardOutputUrl names (`https://s3.<region>.amazonaws.com/<bucket>/<key>`), else the
 * documented layout `<prefix>/<command id>/<instance id>/awsrunShellScript/0.awsrunShellScript/stdout`.
 * Undefined when the agent left none.
 */
export async function commandStdout(clients: AwsClients, output: { bucket: string; prefix: string }, inv: { CommandId?: string | undefined; InstanceId?: string | undefined; StandardOutputUrl?: string | undefined }): Promise<string | undefined> {
  let key = `${output.prefix}/${inv.CommandId}/${inv.InstanceId}/awsrunShellScript/0.awsrunShellScript/stdout`;
  if (inv.StandardOutputUrl) {
    const path = decodeURIComponent(new URL(inv.StandardOutputUrl).pathname);
    if (path.startsWith(`/${output.bucket}/`)) key = path.slice(output.bucket.length + 2);
  }
  try {
    const res = await clients.s3.send(new GetObjectCommand({ Bucket: output.bucket, Key: key }));
    return (await res.Body?.transformToString('utf8')) ?? '';
  } catch (err) {
    if (awsErrorCode(err) === 'NoSuchKey') return undefined;
    throw classifyAwsError(err, `S3 GetObject s3://${output.bucket}/${key}`);
  }
}
