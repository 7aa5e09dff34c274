import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/domain/paths';
import { runTool } from './real-tool';

const scriptsDir = join(repoRoot, 'packer', 'scripts');
const nodeDir = join(scriptsDir, 'node');
const shellScripts = [
  ...readdirSync(scriptsDir).filter((f) => f.endsWith('.sh')).map((f) => join(scriptsDir, f)),
  join(nodeDir, 'rcdebug-kmemleak-scan'),
  join(nodeDir, 'rcdebug-configure-logs'),
  join(repoRoot, 'kernel', 'aws', 'build-al2023-kernel.sh'),
];

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'rcdebug-node-scripts-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('provisioning and node scripts', () => {
  it.each(shellScripts.map((p) => [p.slice(repoRoot.length + 1), p]))('%s is valid bash in strict mode', (_name, path) => {
    const r = runTool('bash', ['-n', path]);
    expect(r.status, r.output).toBe(0);
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    expect(text).toContain('set -euo pipefail');
  });

  it('the CloudWatch agent ships exactly the files the node services write', () => {
    const agent = JSON.parse(readFileSync(join(nodeDir, 'cloudwatch-agent.json'), 'utf8')) as {
      logs: { logs_collected: { files: { collect_list: { file_path: string; log_group_name: string; log_stream_name: string }[] } } };
    };
    const collected = agent.logs.logs_collected.files.collect_list;
    expect(collected.map((c) => c.file_path).sort()).toEqual(['/var/log/rcdebug/kernel.log', '/var/log/rcdebug/kmemleak.log']);
    for (const c of collected) {
      // The log group is filled in on the node from its user data: the AMI serves every cycle.
      expect(c.log_group_name).toBe('@LOG_GROUP@');
      expect(c.log_stream_name).toMatch(/^\{instance_id\}\//);
    }
    expect(readFileSync(join(nodeDir, 'rcdebug-kernel-log.service'), 'utf8')).toContain('>> /var/log/rcdebug/kernel.log');
    expect(readFileSync(join(nodeDir, 'rcdebug-kmemleak-scan'), 'utf8')).toContain('LOG=/var/log/rcdebug/kmemleak.log');
  });

  it('the kmemleak timer gets its interval from the bake', () => {
    const timer = readFileSync(join(nodeDir, 'rcdebug-kmemleak-scan.timer'), 'utf8');
    expect(timer).toMatch(/^OnUnitActiveSec=@INTERVAL@$/m);
    expect(readFileSync(join(scriptsDir, 'install-kmemleak-scan.sh'), 'utf8')).toContain('s/@INTERVAL@/$INTERVAL/g');
  });

  it('rcdebug-configure-logs renders the agent config for a log group and refuses a bad name', () => {
    // A stand-in root (RCDEBUG_ROOT) with a recording stand-in for the agent's control tool.
    const root = join(scratch, 'root');
    mkdirSync(join(root, 'etc', 'rcdebug'), { recursive: true });
    mkdirSync(join(root, 'opt', 'aws', 'amazon-cloudwatch-agent', 'etc'), { recursive: true });
    mkdirSync(join(root, 'opt', 'aws', 'amazon-cloudwatch-agent', 'bin'), { recursive: true });
    writeFileSync(join(root, 'etc', 'rcdebug', 'cloudwatch-agent.json.template'), readFileSync(join(nodeDir, 'cloudwatch-agent.json')));
    const ctl = join(root, 'opt', 'aws', 'amazon-cloudwatch-agent', 'bin', 'amazon-cloudwatch-agent-ctl');
    writeFileSync(ctl, `#!/bin/sh\necho "$@" > ${join(root, 'ctl-args')}\n`);
    chmodSync(ctl, 0o755);
    const script = join(nodeDir, 'rcdebug-configure-logs');
    const env = { RCDEBUG_ROOT: root };

    const ok = runTool('bash', [script, '/rcdebug/rc1-abcd1234'], { env });
    expect(ok.status, ok.output).toBe(0);
    const rendered = readFileSync(join(root, 'opt', 'aws', 'amazon-cloudwatch-agent', 'etc', 'rcdebug.json'), 'utf8');
    expect(rendered).not.toContain('@LOG_GROUP@');
    expect((JSON.parse(rendered) as { logs: { logs_collected: { files: { collect_list: { log_group_name: string }[] } } } }).logs.logs_collected.files.collect_list.map((c) => c.log_group_name)).toEqual(['/rcdebug/rc1-abcd1234', '/rcdebug/rc1-abcd1234']);
    expect(readFileSync(join(root, 'ctl-args'), 'utf8')).toMatch(/^-a fetch-config -m ec2 -s -c file:.*rcdebug\.json$/m);

    expect(readFileSync(join(root, 'etc', 'rcdebug', 'logs.env'), 'utf8')).toBe('RCDEBUG_LOG_GROUP=/rcdebug/rc1-abcd1234\n');

    const bad = runTool('bash', [script, "/rcdebug/x'; rm -rf /"], { env });
    expect(bad.status).toBe(2);
    expect(bad.output).toContain('invalid log group name');
  });
});
