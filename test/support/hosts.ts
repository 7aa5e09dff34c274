/**
 * The project's own test hosts: network namespaces joined by veth pairs to one bridge in the
 * first (the server host), addresses in a private /24 that exists only inside them, nothing
 * routed anywhere else (a new namespace does not forward). The test process itself sits on the
 * bridge too, as the operator's machine, so its client reaches the server. Everything is
 * removed again by `remove()`, by a process exit, and by the next run for a dead run's leftovers.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolveTool } from '../../scripts/toolchain.mjs';

export interface Host {
  /** Namespace name. */
  ns: string;
  /** Its address on the bridge. */
  ip: string;
  /** The host end of its link, in the server host (set it down to cut the host off). */
  linkInServer: string;
  /** Command prefix that runs a program on this host. */
  prefix(): string[];
}

export interface Hosts {
  server: Host;
  workers: Host[];
  /** The test process's own address on the bridge. */
  operatorIp: string;
  /** Takes a host's link down (true) or up again (false). */
  cut(host: Host, down: boolean): void;
  remove(): void;
}

const PREFIX = 'rcdt';

function ip(args: string[]): string {
  return execFileSync(resolveTool('ip').path, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Deletes a namespace after ending every process still in it (all of them this run's own). */
function deleteNamespace(ns: string): void {
  try {
    for (const pid of ip(['netns', 'pids', ns]).split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    ip(['netns', 'del', ns]);
  } catch {
    // already gone
  }
}

/** Namespaces left by a run whose process is gone (named with its pid). */
function sweepDeadRuns(): void {
  let list = '';
  try {
    list = ip(['netns', 'list']);
  } catch {
    return;
  }
  for (const line of list.split('\n')) {
    const m = new RegExp(`^(${PREFIX}(\\d+)-\\S+)`).exec(line.trim());
    if (!m) continue;
    let alive = true;
    try {
      process.kill(Number(m[2]), 0);
    } catch {
      alive = false;
    }
    if (!alive) deleteNamespace(m[1] as string);
  }
}

/** Needs CAP_NET_ADMIN (root): a missing capability fails with what to do. */
export function createHosts(workerCount: number): Hosts {
  if (process.getuid?.() !== 0) throw new Error('the multi-host tests create network namespaces: run them as root (CI does)');
  sweepDeadRuns();
  const tag = randomBytes(2).toString('hex');
  const subnet = `10.${200 + (randomBytes(1)[0] as number) % 50}.${randomBytes(1)[0] as number}`;
  const run = `${PREFIX}${process.pid}-${tag}`;
  const made: string[] = [];
  const rootLinks: string[] = [];
  const remove = () => {
    for (const l of rootLinks.splice(0)) {
      try {
        ip(['link', 'del', l]);
      } catch {
        // gone with its namespace
      }
    }
    for (const ns of made.splice(0)) deleteNamespace(ns);
  };
  process.once('exit', remove);
  const host = (i: number, role: string): Host => {
    const ns = `${run}-${role}`;
    return { ns, ip: `${subnet}.${i + 1}`, linkInServer: `r${tag}h${i}`, prefix: () => [resolveTool('ip').path, 'netns', 'exec', ns] };
  };
  try {
    const server = host(0, 'server');
    const workers = Array.from({ length: workerCount }, (_, i) => host(i + 1, `w${i + 1}`));
    for (const h of [server, ...workers]) {
      ip(['netns', 'add', h.ns]);
      made.push(h.ns);
      ip(['-n', h.ns, 'link', 'set', 'lo', 'up']);
    }
    const s = server.ns;
    ip(['-n', s, 'link', 'add', 'br0', 'type', 'bridge']);
    ip(['-n', s, 'addr', 'add', `${server.ip}/24`, 'dev', 'br0']);
    ip(['-n', s, 'link', 'set', 'br0', 'up']);
    for (const w of workers) {
      // Created in the worker's namespace, its peer moved to the server's and put on the bridge.
      ip(['-n', w.ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', w.linkInServer, 'netns', s]);
      ip(['-n', w.ns, 'addr', 'add', `${w.ip}/24`, 'dev', 'eth0']);
      ip(['-n', w.ns, 'link', 'set', 'eth0', 'up']);
      ip(['-n', s, 'link', 'set', w.linkInServer, 'master', 'br0']);
      ip(['-n', s, 'link', 'set', w.linkInServer, 'up']);
    }
    // The operator's end: a veth from this (the root) namespace onto the bridge. A /32 route to
    // the subnet only: nothing else is sent through it, and the server host forwards nothing.
    const operatorIp = `${subnet}.254`;
    const opLink = `r${tag}op`;
    ip(['link', 'add', opLink, 'type', 'veth', 'peer', 'name', `r${tag}oq`, 'netns', s]);
    rootLinks.push(opLink);
    ip(['addr', 'add', `${operatorIp}/24`, 'dev', opLink]);
    ip(['link', 'set', opLink, 'up']);
    ip(['-n', s, 'link', 'set', `r${tag}oq`, 'master', 'br0']);
    ip(['-n', s, 'link', 'set', `r${tag}oq`, 'up']);
    return {
      server,
      workers,
      operatorIp,
      cut(h, down) {
        ip(['-n', s, 'link', 'set', h.linkInServer, down ? 'down' : 'up']);
      },
      remove,
    };
  } catch (err) {
    remove();
    throw err;
  }
}
