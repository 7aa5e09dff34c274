/** Naming rules of the azure cloud: what AKS, Azure regions and the Compute Gallery accept. Pure module. */

/** AKS cluster names: 1 to 63 characters, letters, digits, `-` and `_`, a letter or digit at both ends. */
export const AKS_CLUSTER = /^[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?$/;
export const AKS_CLUSTER_MAX = 63;

/** Azure region names as ARM takes them: `westeurope`, `eastus2`, `swedencentral`. */
export const AZURE_REGION = /^[a-z]+[a-z0-9]*$/;

/** A Compute Gallery image version: `Major.Minor.Patch`, each a 32-bit integer. */
export const GALLERY_VERSION = /^(\d{1,10})\.(\d{1,10})\.(\d{1,10})$/;
export const INT32_MAX = 2 ** 31 - 1;

/** Tags every rcdebug resource in Azure carries (names without `/`, `<`, `>`, `%`, `&`, `\\` and `?`, which Azure refuses). */
export const TAG = { managed: 'rcdebug-managed', cycle: 'rcdebug-cycle', rc: 'rcdebug-rc', flavor: 'rcdebug-flavor', digest: 'rcdebug-digest' } as const;
