/**
 * kmemleak on GCP, where there is no run-command API: a privileged DaemonSet rcdebug installs
 * on the workload cluster. Each of its pods mounts debugfs of its node and, whenever its pod
 * starts, runs the double scan (scan, wait, scan: the first scan of a pair has false
 * positives) and writes the result to the node's kernel log (/dev/kmsg), so it reaches the
 * serial console the soak reads. A scan is asked for by changing the pod template's
 * `rcdebug/scan` annotation, which rolls every pod.
 */
import { InfraError } from '../../../src/domain/errors';
import { kubeCall, type KubeAccess } from './kube';

export const KMEMLEAK_NAMESPACE = 'kube-system';
export const KMEMLEAK_DAEMONSET = 'rcdebug-kmemleak';
/** What a pod prints to the kernel log when a scan is done: `rcdebug-kmemleak: scan <id> done: <n> ...`. */
export const SCAN_DONE = /rcdebug-kmemleak: scan (\S+) done: (.*)$/m;

/** The pod's script: the double scan, its result to /dev/kmsg, then sleep until the next roll. */
export function scanScript(waitSeconds: number): string {
  return [
    'set -e',
    'test -w /sys/kernel/debug/kmemleak || mount -t debugfs none /sys/kernel/debug',
    'echo scan > /sys/kernel/debug/kmemleak',
    `sleep ${waitSeconds}`,
    'echo scan > /sys/kernel/debug/kmemleak',
    'n=$(grep -c "unreferenced object" /sys/kernel/debug/kmemleak || true)',
    'sed "s/^/rcdebug-kmemleak: /" /sys/kernel/debug/kmemleak > /dev/kmsg || true',
    'echo "rcdebug-kmemleak: scan ${RCDEBUG_SCAN} done: ${n} new suspected memory leaks" > /dev/kmsg',
    'exec sleep infinity',
  ].join('\n');
}

/** The DaemonSet object (privileged, host debugfs and /dev/kmsg). */
export function kmemleakDaemonSet(waitSeconds: number, scanId: string): Record<string, unknown> {
  const labels = { app: KMEMLEAK_DAEMONSET, 'app.kubernetes.io/managed-by': 'rcdebug' };
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: KMEMLEAK_DAEMONSET, namespace: KMEMLEAK_NAMESPACE, labels },
    spec: {
      selector: { matchLabels: { app: KMEMLEAK_DAEMONSET } },
      template: {
        metadata: { labels, annotations: { 'rcdebug/scan': scanId } },
        spec: {
          hostPID: true,
          tolerations: [{ operator: 'Exists' }],
          containers: [{
            name: 'scan',
            image: 'busybox:1.36',
            command: ['/bin/sh', '-c', scanScript(waitSeconds)],
            env: [{ name: 'RCDEBUG_SCAN', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['rcdebug/scan']" } } }],
            securityContext: { privileged: true },
            volumeMounts: [{ name: 'debugfs', mountPath: '/sys/kernel/debug' }, { name: 'kmsg', mountPath: '/dev/kmsg' }],
          }],
          volumes: [{ name: 'debugfs', hostPath: { path: '/sys/kernel/debug' } }, { name: 'kmsg', hostPath: { path: '/dev/kmsg' } }],
        },
      },
    },
  };
}

const PATH = `/apis/apps/v1/namespaces/${KMEMLEAK_NAMESPACE}/daemonsets`;

/** Installs the DaemonSet when it is not there (deploy step); idempotent. */
export async function ensureKmemleakDaemonSet(a: KubeAccess, waitSeconds: number): Promise<'created' | 'present'> {
  try {
    await kubeCall(a, 'GET', `${PATH}/${KMEMLEAK_DAEMONSET}`);
    return 'present';
  } catch (err) {
    if ((err as { status?: number }).status !== 404) throw err;
  }
  await kubeCall(a, 'POST', PATH, kmemleakDaemonSet(waitSeconds, 'install'));
  return 'created';
}

/** Asks every pod for a double scan by rolling the DaemonSet with a new scan id. */
export async function requestScan(a: KubeAccess, scanId: string): Promise<void> {
  try {
    await kubeCall(a, 'PATCH', `${PATH}/${KMEMLEAK_DAEMONSET}`, { spec: { template: { metadata: { annotations: { 'rcdebug/scan': scanId } } } } }, 'application/strategic-merge-patch+json');
  } catch (err) {
    if ((err as { status?: number }).status === 404) throw new InfraError(`the ${KMEMLEAK_DAEMONSET} DaemonSet is missing on ${a.name}: the deploy step installs it; the check will be retried`);
    throw err;
  }
}
