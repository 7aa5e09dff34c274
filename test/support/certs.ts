/**
 * A certificate authority and certificates made for one test run with openssl: the server's
 * (for the name clients check, and its addresses) and clients' (workers, the CLI), so mutual
 * TLS is exercised exactly as a user's self-hosted cluster does it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveTool } from '../../scripts/toolchain.mjs';

export interface CertPair {
  cert: string;
  key: string;
}

export interface Ca extends CertPair {
  dir: string;
  /** A certificate this CA signs; `names` are DNS names or IP addresses. */
  issue(name: string, names?: string[]): CertPair;
}

function openssl(args: string[]): void {
  execFileSync(resolveTool('openssl').path, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function createCa(dir: string, name: string): Ca {
  mkdirSync(dir, { recursive: true });
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-keyout', key, '-out', cert]);
  return {
    dir,
    cert,
    key,
    issue(leaf, names = []) {
      const out = { cert: join(dir, `${leaf}.pem`), key: join(dir, `${leaf}.key`) };
      const csr = join(dir, `${leaf}.csr`);
      const ext = join(dir, `${leaf}.ext`);
      const san = [leaf, ...names].map((n) => (/^\d+\.\d+\.\d+\.\d+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
      writeFileSync(ext, `subjectAltName=${san}\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature\n`);
      openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${leaf}`, '-keyout', out.key, '-out', csr]);
      openssl(['x509', '-req', '-in', csr, '-CA', cert, '-CAkey', key, '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', out.cert]);
      return out;
    },
  };
}
