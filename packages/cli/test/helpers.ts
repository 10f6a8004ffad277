import { fileURLToPath } from 'node:url';
import { IDS } from '@idp-kit/testkit';

/** The built CLI, as users run it. */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** This process's environment without any IDP_* setting: each test says what it sets. */
export const cleanEnv: Record<string, string> = Object.fromEntries(
  Object.entries(process.env).filter(
    (entry): entry is [string, string] => !entry[0].startsWith('IDP_') && entry[1] !== undefined,
  ),
);

/** The settings that point idp at a runtime and token endpoint (a mock, a fake), with a client secret. */
export function settingsFor(
  target: { baseUrl: string; tokenUrl: string },
  secret = 'cli-secret-1234',
): Record<string, string> {
  return {
    IDP_BASE_URL: target.baseUrl,
    IDP_TOKEN_URL: target.tokenUrl,
    IDP_ORG_ID: IDS.organizationId,
    IDP_CLIENT_ID: 'cli-client',
    IDP_CLIENT_SECRET: secret,
  };
}
