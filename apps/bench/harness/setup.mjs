/**
 * What harness.mjs and ablate.mjs share: the built client, the ids, and server.mjs started in a process
 * of its own, with the URL and headers of one execution on it as raw fetch sends them.
 */
import { fork } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

export const { createIdpClient } = await import(
  pathToFileURL(`${here}../../../packages/client/dist/index.js`).href
);
export const ORG = '01f79c97-9a83-4194-b922-15b64fd7305e';
export const ref = {
  actionId: '90c3e286-72b5-42ca-92d0-22f86ea8d766',
  actionVersion: '1.1.0',
  executionId: '022c61de-9bfc-4a94-8a9c-43c5f8ac153e',
};
export const ACCEPT = 'application/json, application/problem+json';
export const headers = { Authorization: 'Bearer h-token', 'User-Agent': 'harness', Accept: ACCEPT };

/** Starts server.mjs; its base URL, the execution's URL on it, the body's size, and a stop. */
export async function startServer() {
  const child = fork(`${here}server.mjs`, [], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const [port, bytes] = await new Promise((resolve) =>
    child.stdout.once('data', (d) => resolve(String(d).trim().split(' ').map(Number))),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const url = `${baseUrl}/api/v1/organizations/${ORG}/actions/${ref.actionId}/versions/${ref.actionVersion}/executions/${ref.executionId}?valueOnly=true`;
  return {
    baseUrl,
    url,
    bytes,
    stop() {
      child.disconnect();
      child.kill();
    },
  };
}
