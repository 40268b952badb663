#!/usr/bin/env node
// The `skylt` command: the build in dist/ when it is up to date with src/, else the source through tsx (scripts/load.js).
import { loadEntry } from '../scripts/load.js';

const { module } = await loadEntry('cli/cli');
process.exitCode = await module.main(process.argv.slice(2));
