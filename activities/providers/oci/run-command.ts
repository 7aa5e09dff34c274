/**
 * A shell script on instances through the Oracle Cloud Agent's Run Command:
 * CreateInstanceAgentCommand per instance, GetInstanceAgentCommandExecution polled until it
 * ends; the output comes back as text. Used for the kmemleak double scan.
 */
import type { StepIO } from '../../../src/domain/contract';
import { InfraError } from '../../../src/domain/errors';
import type { OciClients } from './clients';
import { classifyOciError, oci, ociStatus } from './errors';

const RUNNING = new Set(['ACCEPTED', 'IN_PROGRESS']);

/** Runs `script` on every instance; returns each one's output (or why it has none). */
export async function runCommand(c: OciClients, o: { compartmentId: string; instanceIds: string[]; script: string; name: string; timeoutSeconds: number }, io: StepIO, pollMs: number): Promise<Map<string, string>> {
  const started = new Map<string, string>();
  for (const instanceId of o.instanceIds) {
    const res = await oci(`Instance Agent CreateInstanceAgentCommand on ${instanceId}`, () => c.agent.createInstanceAgentCommand({
      createInstanceAgentCommandDetails: {
        compartmentId: o.compartmentId,
        displayName: o.name.slice(0, 255),
        executionTimeOutInSeconds: o.timeoutSeconds,
        target: { instanceId },
        content: { source: { sourceType: 'TEXT', text: o.script } as never, output: { outputType: 'TEXT' } as never },
      },
    }));
    started.set(instanceId, res.instanceAgentCommand.id);
  }
  const out = new Map<string, string>();
  const deadline = Date.now() + (o.timeoutSeconds + 300) * 1000;
  for (const [instanceId, commandId] of started) {
    for (;;) {
      let exec;
      try {
        exec = (await c.agent.getInstanceAgentCommandExecution({ instanceAgentCommandId: commandId, instanceId })).instanceAgentCommandExecution;
      } catch (err) {
        // The execution appears a moment after the command is accepted.
        if (ociStatus(err) !== 404) throw classifyOciError(err, `Instance Agent GetInstanceAgentCommandExecution ${commandId}`);
      }
      const state = exec?.lifecycleState;
      if (state && !RUNNING.has(state)) {
        const content = exec?.content as { text?: string; exitCode?: number; message?: string } | undefined;
        out.set(instanceId, state === 'SUCCEEDED' && !content?.exitCode ? (content?.text ?? '') : `run command ${state} (exit ${content?.exitCode ?? '?'}): ${content?.message ?? ''}`);
        break;
      }
      if (io.signal.aborted) throw new InfraError(`${o.name} was stopped: the step was cancelled`);
      if (Date.now() > deadline) throw new InfraError(`${o.name} on ${instanceId} did not finish: the check will be retried`);
      io.progress({ message: `${o.name} on ${instanceId}: ${state ?? 'starting'}` });
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
  return out;
}
