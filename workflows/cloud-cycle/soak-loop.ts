/** The soak: a durable loop of timers and health-check activities, not one long activity. */
import { sleep } from '@temporalio/workflow';
import type { ClusterProvisionOutput, SoakOutput, StepResult } from '../../src/domain/contract';
import { activitiesFor, publish, stepState, type Cycle } from './cycle';

/** Checks the nodes every interval until the soak duration is over or a node panicked. */
export async function runSoak(c: Cycle, cluster: ClusterProvisionOutput): Promise<StepResult<SoakOutput>> {
  const { ctx } = c;
  const { durationSeconds, checkIntervalSeconds, scanIntervalSeconds } = ctx.soak;
  const acts = activitiesFor(c, 'soak');
  const s = stepState(c, 'soak');
  const start = Date.now();
  const elapsed = () => (Date.now() - start) / 1000;
  const out: SoakOutput = { checks: 0, scans: 0, elapsedSeconds: 0, endedEarly: false, reason: 'duration', lastHealth: [] };
  let lastScanAt = 0;
  let attempt = 1;
  while (elapsed() < durationSeconds) {
    await sleep(Math.min(checkIntervalSeconds, durationSeconds - elapsed()) * 1000);
    const now = elapsed();
    // The last check always scans, so leaks that appear late are still caught.
    const scan = scanIntervalSeconds > 0 && (now - lastScanAt >= scanIntervalSeconds || now >= durationSeconds);
    const r = await acts.soakCheck({ ctx, cluster, tick: out.checks + 1, scan, elapsedSeconds: Math.round(now) });
    attempt = Math.max(attempt, r.attempt);
    out.checks += 1;
    if (scan) {
      out.scans += 1;
      lastScanAt = now;
    }
    out.lastHealth = r.output.nodes;
    out.elapsedSeconds = Math.round(now);
    s.progress = `${out.checks} checks, ${out.scans} kmemleak scans, ${out.elapsedSeconds}/${durationSeconds} s`;
    publish(c);
    if (r.output.panicked) {
      // A panic is a finding for the harvest, never an infrastructure error to retry.
      out.endedEarly = true;
      out.reason = 'panic';
      break;
    }
  }
  return { output: out, attempt };
}
