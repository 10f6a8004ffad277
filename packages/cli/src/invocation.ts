/**
 * How the user started this CLI, so that the commands it prints work as pasted: `pnpm idp` inside the
 * idp-kit repository (the root script builds and runs it; a bare `idp` is not on the PATH there), `idp`
 * when installed.
 */
export function invocation(env: Record<string, string | undefined>): string {
  return env.npm_lifecycle_event === 'idp' && env.npm_package_name === 'idp-kit' ? 'pnpm idp' : 'idp';
}
