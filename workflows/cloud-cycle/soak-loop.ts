/** The soak: a durable loop of timers and health-check activities, not one long activity. */
import { sleep } from '@temporalio/workflow';
import type { ClusterProvisionOutput, ConsoleMark, FindingSummary, SoakOutput, StepResult } from '../../src/domain/contract';
import { activitiesFor, publish, stepState, type Cycle } from './cycle';

/**
 * Adds a check's findings to the cycle's state: a new signature once, with when it was first
 * seen; a known one gets its count and nodes. Returns the signatures seen for the first time.
 */
function recordFindings(c: Cycle, found: readonly FindingSummary[], check: number): FindingSummary[] {
  const firsts: FindingSummary[] = [];
  for (const f of found) {
    const all = (c.state.findings ??= []);
    const known = all.find((k) => k.signature === f.signature);
    if (known) {
      known.count += f.count;
      for (const n of f.nodes) if (!known.nodes.includes(n)) known.nodes.push(n);
      continue;
    }
    all.push({ ...f, nodes: [...f.nodes], firstSeen: { at: new Date().toISOString(), check } });
    firsts.push(f);
  }
  return firsts;
}

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
  // Where each node's console was parsed up to: kept here, in the history, so any worker resumes it.
  let consoles: Record<string, ConsoleMark> | undefined;
  // onKernelError "panic": a node whose kernel panicked is dead; the others soak on.
  const dead: Record<string, string> = {};
  while (elapsed() < durationSeconds) {
    await sleep(Math.min(checkIntervalSeconds, durationSeconds - elapsed()) * 1000);
    const now = elapsed();
    // The last check always scans, so leaks that appear late are still caught.
    const scan = scanIntervalSeconds > 0 && (now - lastScanAt >= scanIntervalSeconds || now >= durationSeconds);
    const r = await acts.soakCheck({ ctx, cluster, tick: out.checks + 1, scan, elapsedSeconds: Math.round(now), consoles, ...(Object.keys(dead).length ? { dead: { ...dead } } : {}) });
    consoles = r.output.consoles ?? consoles;
    attempt = Math.max(attempt, r.attempt);
    out.checks += 1;
    if (scan) {
      out.scans += 1;
      lastScanAt = now;
    }
    out.lastHealth = r.output.nodes;
    out.elapsedSeconds = Math.round(now);
    const firsts = recordFindings(c, r.output.findings ?? [], out.checks);
    s.progress = `${out.checks} checks, ${out.scans} kmemleak scans, ${out.elapsedSeconds}/${durationSeconds} s`;
    publish(c);
    for (const n of r.output.nodes) if (n.panicked) dead[n.name] ??= n.detail;
    if (Object.keys(dead).length) out.deadNodes = { ...dead };
    const soakOn = ctx.onKernelError === 'panic' && Object.keys(dead).length < cluster.nodes.length;
    if (r.output.panicked && !soakOn) {
      // A panic is a finding for the harvest, never an infrastructure error to retry.
      out.endedEarly = true;
      out.reason = 'panic';
      break;
    }
    if (ctx.soak.stopOn === 'new-finding' && firsts.some((f) => f.status === 'new')) {
      out.endedEarly = true;
      out.reason = 'new-finding';
      break;
    }
  }
  return { output: out, attempt };
}
