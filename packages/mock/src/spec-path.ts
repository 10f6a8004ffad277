import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Where the spec lives: beside the built module when installed from a tarball (the build copies it),
 * or at the workspace root when running inside the repository.
 *
 * @example
 * ```ts
 * const spec = await readFile(resolveSpecPath(), 'utf8');
 * ```
 */
export function resolveSpecPath(): string {
  const candidates = [
    new URL('./idp.openapi.yaml', import.meta.url),
    new URL('../../../spec/idp.openapi.yaml', import.meta.url),
  ].map((url) => fileURLToPath(url));
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`idp-kit spec not found; looked in: ${candidates.join(', ')}`);
  return found;
}
