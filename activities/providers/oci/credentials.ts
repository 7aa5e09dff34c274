/**
 * The worker's OCI API key, the way the OCI CLI finds it: `OCI_CLI_*` variables first, else a
 * profile of the config file (`OCI_CLI_CONFIG_FILE`, default ~/.oci/config; profile
 * `OCI_CLI_PROFILE`, default DEFAULT). Every field is checked before any call, so a missing
 * tenancy, a key file that is not a PEM private key or a fingerprint of another key is a
 * UserError naming the field, never a 401 in the middle of a cycle. Pure: no SDK.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../../src/domain/errors';

export interface OciCredentials {
  tenancy: string;
  user: string;
  fingerprint: string;
  keyFile: string;
  privateKeyPem: string;
  passphrase?: string | undefined;
  region: string;
}

type Field = 'tenancy' | 'user' | 'fingerprint' | 'key_file' | 'region';
const ENV: Record<Field, string> = { tenancy: 'OCI_CLI_TENANCY', user: 'OCI_CLI_USER', fingerprint: 'OCI_CLI_FINGERPRINT', key_file: 'OCI_CLI_KEY_FILE', region: 'OCI_CLI_REGION' };
const SHAPE: Record<Exclude<Field, 'key_file'>, [RegExp, string]> = {
  tenancy: [/^ocid1\.tenancy\.[a-z0-9-]+\.[a-z0-9-]*\.[a-z0-9]+$/, 'a tenancy OCID (ocid1.tenancy.oc1..aaaa...)'],
  user: [/^ocid1\.user\.[a-z0-9-]+\.[a-z0-9-]*\.[a-z0-9]+$/, 'a user OCID (ocid1.user.oc1..aaaa...)'],
  fingerprint: [/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/, 'an API key fingerprint (16 hex pairs, colon separated)'],
  region: [/^[a-z]{2,3}-[a-z]+-\d$/, 'an OCI region identifier such as eu-frankfurt-1'],
};

/** The profile `name` of an OCI config file (INI), or undefined when the file or profile is missing. */
export function readProfile(text: string, name: string): Record<string, string> | undefined {
  let current: string | undefined;
  const profiles = new Map<string, Record<string, string>>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = section[1]!.trim();
      profiles.set(current, profiles.get(current) ?? {});
    } else if (current && line.includes('=')) {
      const at = line.indexOf('=');
      profiles.get(current)![line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
  }
  const base = profiles.get('DEFAULT') ?? {};
  const own = profiles.get(name);
  return own || name === 'DEFAULT' ? { ...base, ...own } : undefined;
}

/** OCI's fingerprint of an API key: MD5 of the DER public key, colon separated. */
export function keyFingerprint(key: KeyObject): string {
  const der = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return createHash('md5').update(der).digest('hex').match(/../g)!.join(':');
}

/** The credentials, every field checked; a UserError names the first one that is wrong. */
export function resolveOciCredentials(env: NodeJS.ProcessEnv = process.env): OciCredentials {
  const anyEnv = Object.values(ENV).some((k) => env[k]);
  const configFile = env.OCI_CLI_CONFIG_FILE || join(homedir(), '.oci', 'config');
  const profileName = env.OCI_CLI_PROFILE || 'DEFAULT';
  let profile: Record<string, string> = {};
  if (!anyEnv || env.OCI_CLI_CONFIG_FILE || env.OCI_CLI_PROFILE) {
    let text: string | undefined;
    try {
      text = readFileSync(configFile, 'utf8');
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      const p = readProfile(text, profileName);
      if (!p) throw new UserError(`the OCI config file ${configFile} has no profile [${profileName}]: add it or set OCI_CLI_PROFILE`, 'OCI_CLI_PROFILE');
      profile = p;
    } else if (!anyEnv) {
      throw new UserError(`no OCI API key configured: set OCI_CLI_TENANCY, OCI_CLI_USER, OCI_CLI_FINGERPRINT, OCI_CLI_KEY_FILE and OCI_CLI_REGION, or write ${configFile} (docs/oci.md, "API key")`, 'OCI_CLI_TENANCY');
    }
  }
  const where = (f: Field) => (env[ENV[f]] ? ENV[f] : `${f} in ${configFile} [${profileName}]`);
  const get = (f: Field): string => {
    const v = (env[ENV[f]] || profile[f] || '').trim();
    if (!v) throw new UserError(`no OCI ${f.replace('_', ' ')}: set ${ENV[f]} or ${f} in ${configFile} [${profileName}]`, ENV[f]);
    if (f !== 'key_file') {
      const [re, what] = SHAPE[f];
      if (!re.test(v)) throw new UserError(`${where(f)} is ${JSON.stringify(v)}, which is not ${what}`, ENV[f]);
    }
    return v;
  };
  const tenancy = get('tenancy');
  const user = get('user');
  const fingerprint = get('fingerprint');
  const region = get('region');
  const keyFile = get('key_file').replace(/^~(?=\/)/, homedir());
  const passphrase = env.OCI_CLI_PASSPHRASE || profile.pass_phrase || undefined;
  let privateKeyPem: string;
  try {
    privateKeyPem = readFileSync(keyFile, 'utf8');
  } catch (err) {
    throw new UserError(`the OCI API key file ${keyFile} (${where('key_file')}) cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, ENV.key_file);
  }
  if (!/-----BEGIN (RSA |ENCRYPTED )?PRIVATE KEY-----/.test(privateKeyPem)) {
    throw new UserError(`the OCI API key file ${keyFile} is not a PEM private key (no "-----BEGIN PRIVATE KEY-----" block): give the private half of the API key, not the public one`, ENV.key_file);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: privateKeyPem, format: 'pem', ...(passphrase ? { passphrase } : {}) });
  } catch (err) {
    throw new UserError(`the OCI API key file ${keyFile} does not hold a usable private key (${(err as Error).message}); if it is encrypted, set OCI_CLI_PASSPHRASE`, ENV.key_file);
  }
  if (key.asymmetricKeyType !== 'rsa') throw new UserError(`the OCI API key in ${keyFile} is ${key.asymmetricKeyType}, not RSA: OCI API keys are RSA`, ENV.key_file);
  const actual = keyFingerprint(key);
  if (actual !== fingerprint) {
    throw new UserError(`${where('fingerprint')} is ${fingerprint}, but the key in ${keyFile} has fingerprint ${actual}: use the fingerprint the console shows for this key`, ENV.fingerprint);
  }
  return { tenancy, user, fingerprint, keyFile, privateKeyPem, passphrase, region };
}
