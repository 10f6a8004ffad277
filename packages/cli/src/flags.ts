import { type Command, InvalidArgumentError, Option } from 'commander';

export const EXAMPLE_URL =
  'https://idp-rt.us-east-1.anypoint.mulesoft.com/api/v1/organizations/01f79c97-9a83-4194-b922-15b64fd7305e/actions/90c3e286-72b5-42ca-92d0-22f86ea8d766/versions/1.1.0/executions/022c61de-9bfc-4a94-8a9c-43c5f8ac153e';

export const SETTINGS_HELP = `Settings (flags win over the environment, which wins over a .env file in this folder):
  IDP_CLIENT_ID          client id of the Anypoint connected app   (--client-id)
  IDP_CLIENT_SECRET      its client secret: environment or .env only, never a flag
  IDP_ORG_ID             business group that owns the action        (--org)
  IDP_REGION             us-east-1 (default) or eu-central-1        (--region)
  IDP_BASE_URL           another runtime URL, e.g. the mock          (--base-url)
  IDP_TOKEN_URL          another token URL, e.g. the mock            (--token-url)
  IDP_CONTROL_PLANE_URL  control plane for actions (--control-plane-url); default: the
                         region's, or IDP_BASE_URL when that is loopback (the mock)
  IDP_USERNAME           optional Anypoint user and password for reviews and actions:
  IDP_PASSWORD           HTTP Basic instead of the token (environment or .env only)`;

/** A 0–100 option value (commander argument parser). */
export function percent(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 100)
    throw new InvalidArgumentError('expected a number from 0 to 100');
  return n;
}

export function connectionOptions(command: Command): Command {
  return command
    .option('--org <id>', 'organization (business group) id [IDP_ORG_ID]')
    .addOption(
      new Option('--region <region>', 'IDP region [IDP_REGION]').choices(['us-east-1', 'eu-central-1']),
    )
    .option('--base-url <url>', 'runtime base URL, e.g. the mock [IDP_BASE_URL]')
    .option('--token-url <url>', 'token URL, e.g. the mock [IDP_TOKEN_URL]')
    .option('--client-id <id>', 'connected app client id [IDP_CLIENT_ID]')
    .option('--control-plane-url <url>', 'Anypoint control plane, for actions [IDP_CONTROL_PLANE_URL]')
    .option('--request-timeout <duration>', 'timeout of each HTTP attempt (retried, then exit code 1)', '30s')
    .option('--verbose', 'log each HTTP attempt and error details to stderr');
}

export function executionOptions(command: Command): Command {
  return command
    .argument('[execution-url]', 'the execution URL, as shown in Anypoint or logged by a flow')
    .option('--action <id>', 'document action id (instead of a URL)')
    .option('--version <semver>', 'published action version, e.g. 1.1.0 (instead of a URL)')
    .option('--execution <id>', 'execution id (instead of a URL)');
}

/** --json / --csv for the list commands. */
export function formatOptions(command: Command): Command {
  return command
    .addOption(new Option('--json', 'print the response body as JSON').conflicts('csv'))
    .option('--csv', 'print as CSV');
}

export function outputOptions(command: Command): Command {
  return command
    .option('--confidence', 'ask for confidence scores and geometry (valueOnly=false)')
    .option('--min-confidence <percent>', 'mark values below this confidence', percent, 80)
    .addOption(new Option('--json', 'print the response body as JSON').conflicts('csv'))
    .option('--csv', 'print the flat field list as CSV');
}

export function waitOptions(command: Command): Command {
  return command
    .option('--timeout <duration>', 'give up after this long (30s, 10m, 1h); exit code 6', '10m')
    .addOption(
      new Option(
        '--until <when>',
        'settled: stop at MANUAL_VALIDATION_REQUIRED too; final: wait for the reviewer',
      )
        .choices(['settled', 'final'])
        .default('settled'),
    )
    .option('--interval <duration>', 'first poll interval (at least 10s against MuleSoft hosts)', '10s');
}
