#!/usr/bin/env node
// Entry point of the `terrafuse` CLI. Runs the TypeScript sources through tsx so that a fresh clone needs no
// build step for the CLI; worker threads started by the CLI register tsx the same way (see core/worker-url).
import { register } from 'tsx/esm/api';

register();
process.env.TERRAFUSE_CLI = '1';
await import('../src-main/cli.ts');
