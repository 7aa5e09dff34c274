
/**
 * `npm run bench [-- section...]`: sections engine, findings, live, local (default: these four),
 * kernel-groups, kernel-groups-boot and kernel-compile (only when named). Figures
 * that compare are printed as ratios measured side by side in the same run.
 */
const SECTIONS: Record<string, () => Promise<void>> = {
  engine: async () => (await import('./engine')).benchEngine(),
  findings: async () => (await import('./findings')).benchFindings(),
  live: async () => (await import('./live')).benchLive(),
  local: async () => (await import('./local')).benchLocal(),
  'kernel-groups': async () => (await import('./kernel-groups')).benchKernelGroups(),
  'kernel-groups-boot': async () => (await import('./kernel-groups-boot')).benchKernelGroupsBoot(),
  'kernel-compile': async () => (await import('./kernel-compile')).benchKernelCompile(),
};
/**
 * Sections run only when named: four kernel builds take an hour on two cores, twelve TCG boots
 * half of one, the compile comparisons about ten minutes.
 */
const ON_REQUEST = new Set(['kernel-groups', 'kernel-groups-boot', 'kernel-compile']);

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !(w in SECTIONS));
if (unknown.length) {
  console.error(`unknown bench section(s) ${unknown.join(', ')}; sections: ${Object.keys(SECTIONS).join(', ')}`);
  process.exit(2);
}
for (const name of wanted.length ? wanted : Object.keys(SECTIONS).filter((s) => !ON_REQUEST.has(s))) {
  console.log(`\n== ${name} ==`);
  await (SECTIONS[name] as () => Promise<void>)();
}
export {};
