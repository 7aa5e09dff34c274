/**
 * A real AWS emulator for tests: moto's HTTP server (the pinned version, found or installed by
 * `node scripts/bootstrap.mjs test` and resolved through its tool table), on a free port, one per test
 * file. Plus a small HTTP proxy in front of it that injects faults (throttling, 5xx) for the
 * first calls: the only mock, there to inject what moto cannot.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { resolveTool } from '../../scripts/toolchain.mjs';

export interface Moto {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** Forgets every resource (POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Environment for SDK clients (and child processes) that talk to the emulator. */
export function motoEnv(endpoint: string, region = 'eu-west-1'): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Starts moto_server; a missing installation is a failure saying how to install it. */
export async function startMoto(): Promise<Moto> {
  // The toolchain's answer, the same one the bootstrap checked: never a path of our own.
  const motoServerPath = resolveTool('moto_server').path;
  const port = await freePort();
  const child: ChildProcess = spawn(motoServerPath, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${stderr}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not answer on ${endpoint} within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    endpoint,
    async reset() {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A canned failure the proxy returns instead of forwarding. */
export interface Fault {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

/** 400 ThrottlingException in the JSON protocols (SSM, CloudWatch Logs). */
export const jsonThrottle: Fault = {
  status: 400,
  headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ThrottlingException' },
  body: JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }),
};

/** 500 InternalServerError in the JSON protocols. */
export const json500: Fault = {
  status: 500,
  headers: { 'content-type': 'application/x-amz-json-1.1' },
  body: JSON.stringify({ __type: 'InternalServerError', message: 'internal failure' }),
};

/** 400 ExpiredTokenException in the JSON protocols: expired session credentials. */
export const jsonExpiredToken: Fault = {
  status: 400,
  headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ExpiredTokenException' },
  body: JSON.stringify({ __type: 'ExpiredTokenException', message: 'The security token included in the request is expired' }),
};

/** 503 RequestLimitExceeded in the EC2 query protocol. */
export const ec2Throttle: Fault = {
  status: 503,
  headers: { 'content-type': 'text/xml' },
  body: '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>rcdebug-fault</RequestID></Response>',
};

/** 429 TooManyRequestsException in the REST-JSON protocol (EKS). */
export const restThrottle: Fault = {
  status: 429,
  headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' },
  body: JSON.stringify({ message: 'Too many requests' }),
};

export interface FaultProxy {
  endpoint: string;
  /** Calls seen so far (faulted or forwarded), with the operation when the request names it. */
  calls: string[];
  /** The next `count` calls matching `match` (all calls when omitted) get `fault`. */
  inject(fault: Fault, count: number, match?: (op: string) => boolean): void;
  /**
   * A stand-in for an operation moto lacks or cannot play (an instance's SSM agent): every call
   * of `op` goes to `respond`, whose answer is sent instead; `undefined` forwards the call to moto.
   */
  answer(op: string, respond: ((body: string) => Promise<Fault | undefined>) | undefined): void;
  stop(): Promise<void>;
}

/** The operation of a request: the JSON target, the query Action, or method and path. */
function operationOf(req: IncomingMessage, body: Buffer): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? target;
  const form = new URLSearchParams(req.headers['content-type']?.includes('x-www-form-urlencoded') ? body.toString() : '');
  const action = form.get('Action') ?? new URL(req.url ?? '/', 'http://x').searchParams.get('Action');
  return action ?? `${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`;
}

/** An HTTP proxy in front of `target` that fails chosen calls and forwards the rest. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const pending: { fault: Fault; left: number; match?: ((op: string) => boolean) | undefined }[] = [];
  const calls: string[] = [];
  const responders = new Map<string, (body: string) => Promise<Fault | undefined>>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const op = operationOf(req, body);
      calls.push(op);
      const plan = pending.find((p) => p.left > 0 && (!p.match || p.match(op)));
      if (plan) plan.left -= 1;
      const respond = responders.get(op);
      const fault: Fault | undefined = plan?.fault ?? (respond ? await respond(body.toString()).catch((err: unknown): Fault => ({ status: 500, body: String(err) })) : undefined);
      if (fault) {
        res.writeHead(fault.status, { 'x-amzn-requestid': 'rcdebug-fault', ...fault.headers });
        res.end(fault.body);
        return;
      }
      const fwd = request(
        { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      fwd.on('error', (err) => {
        res.writeHead(502);
        res.end(String(err));
      });
      fwd.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    inject(fault, count, match) {
      pending.push({ fault, left: count, match });
    },
    answer(op, respond) {
      if (respond) responders.set(op, respond);
      else responders.delete(op);
    },
    stop: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
