#!/usr/bin/env node
// The rcdebug CLI. TypeScript runs through tsx, so the checkout needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/app/cli/main.ts');
