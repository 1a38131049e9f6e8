#!/usr/bin/env node
// The `carillon` command: bundles the current sources (a fraction of a second) and runs the CLI.
import { build } from '../scripts/build.mjs';
build();
await import('../dist/cli.js');
