// Infrastructure-as-code tools (helm, packer, tofu) and the AWS emulator (moto): found or
// installed into the rcdebug cache. Extends the tool table of toolchain.mjs.

/** @returns {import('./toolchain.mjs').Tool[]} */
export function iacTools(_ctx) {
  return [];
}
