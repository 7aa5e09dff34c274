/**
 * A node's serial console through console history: CaptureConsoleHistory, GetConsoleHistory
 * polled until SUCCEEDED, GetConsoleHistoryContent read in pieces (OCI keeps at most the last
 * 1 MB), the capture deleted afterwards. A node whose instance is gone has no console: ''.
 */
import type { StepIO } from '../../../src/domain/contract';
import { InfraError } from '../../../src/domain/errors';
import type { OciClients } from './clients';
import { oci, ociMaybe } from './errors';

const MAX = 1024 * 1024;
const PIECE = 256 * 1024;

export async function consoleHistory(c: OciClients, instanceId: string, io: StepIO, pollMs: number, timeoutMs = 120_000): Promise<string> {
  const captured = await ociMaybe(`Compute CaptureConsoleHistory ${instanceId}`, () =>
    c.compute.captureConsoleHistory({ captureConsoleHistoryDetails: { instanceId, displayName: 'rcdebug-soak' } }));
  if (!captured) return '';
  const id = captured.consoleHistory.id;
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const h = await oci(`Compute GetConsoleHistory ${id}`, () => c.compute.getConsoleHistory({ instanceConsoleHistoryId: id }));
      const state = h.consoleHistory.lifecycleState;
      if (state === 'SUCCEEDED') break;
      if (state === 'FAILED') throw new InfraError(`the console history capture of ${instanceId} FAILED: the check will be retried`);
      if (io.signal.aborted) throw new InfraError('the console capture was stopped: the step was cancelled');
      if (Date.now() > deadline) throw new InfraError(`the console history of ${instanceId} was not captured in ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, pollMs));
    }
    let text = '';
    for (let offset = 0; offset < MAX;) {
      const piece = await oci(`Compute GetConsoleHistoryContent ${id}`, () => c.compute.getConsoleHistoryContent({ instanceConsoleHistoryId: id, offset, length: PIECE }));
      text += piece.value ?? '';
      offset += Buffer.byteLength(piece.value ?? '');
      if (!piece.value || !piece.opcBytesRemaining) break;
    }
    return text;
  } finally {
    await ociMaybe(`Compute DeleteConsoleHistory ${id}`, () => c.compute.deleteConsoleHistory({ instanceConsoleHistoryId: id })).catch(() => undefined);
  }
}
