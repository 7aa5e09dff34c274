/**
 * What the azure builds add to the shared packer driver (activities/iac/packer.ts): Azure's
 * words for the user's faults in packer's output, and shell quoting for reproducers.
 */
import { UserError } from '../../../src/domain/errors';

/** Failures in packer's output that are the user's: a VM size the region does not offer, denied access. */
export function classifyPacker(f: { tail: string[] }): Error | undefined {
  const text = f.tail.join('\n');
  if (/SkuNotAvailable|not available in location/.test(text)) {
    return new UserError(`the VM size is not offered in this region: pick another RCDEBUG_AZURE_VM_SIZE or region (${text.split('\n').filter((l) => /SkuNotAvailable/.test(l)).pop() ?? ''})`, 'RCDEBUG_AZURE_VM_SIZE');
  }
  if (/AuthorizationFailed|ExpiredAuthenticationToken|InvalidAuthenticationToken/.test(text)) {
    return new UserError('packer could not act with these Azure credentials: refresh them, or grant the role of terraform/azure/worker-role.json', 'Azure credentials');
  }
  return undefined;
}

/** Quotes one shell word. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
