#!/usr/bin/env node
// `pnpm idp …` inside the repository. pnpm runs a workspace bin (unlike a package.json script) with no
// echo of the command, no `ELIFECYCLE Command failed` on an intended non-zero exit, and in the folder the
// user typed the command in, so relative paths mean what they say.
import { pathToFileURL } from 'node:url';
import { buildIfStale, ROOT } from './build-if-stale.mjs';

buildIfStale('@idp-kit/cli');
// The CLI's hints say `pnpm idp …` when it runs under this name inside the repository.
process.env.npm_lifecycle_event = 'idp';
process.env.npm_package_name = 'idp-kit';
// The bin reads process.argv from index 2 on, as it would if run itself.
await import(pathToFileURL(`${ROOT}packages/cli/dist/bin.js`).href);
