#!/usr/bin/env node
// `pnpm mock` inside the repository (PORT=N to choose the port): the mock, built first when its
// sources changed, without pnpm's or turbo's lines around it (see idp.mjs).
import { pathToFileURL } from 'node:url';
import { buildIfStale, ROOT } from './build-if-stale.mjs';

buildIfStale('@idp-kit/mock');
await import(pathToFileURL(`${ROOT}packages/mock/dist/cli.js`).href);
