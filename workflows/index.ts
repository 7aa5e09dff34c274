/** Every workflow the rcdebug worker runs on the `rcdebug` task queue. */
export { rcCycle } from './rc-cycle';
export { cloudCycle } from './cloud-cycle';
export { cloudJanitor } from './cloud-janitor';
export { validateMain } from './validate-main';
