import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { InfraError } from '../../../src/domain/errors';

/** sha256 hex of the parts, each length-prefixed so that no two part lists collide. */
export function digestOf(parts: readonly (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    const b = typeof p === 'string' ? Buffer.from(p) : p;
    h.update(`${b.length}:`);
    h.update(b);
  }
  return h.digest('hex');
}

/** The first 12 hex digits: enough to name a cache directory. */
export function shortDigest(digest: string): string {
  return digest.slice(0, 12);
}

/** First line of `<cc> --version`: a compiler upgrade changes every object, so it keys the cache. */
export async function compilerVersion(cc = 'gcc'): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(cc, ['--version'], { timeout: 20_000 });
    const first = stdout.split('\n')[0]?.trim();
    if (!first) throw new Error('no output');
    return first;
  } catch (err) {
    throw new InfraError(`cannot read the compiler version (${cc} --version): ${(err as Error).message}; install gcc`, err);
  }
}
