/** @module Files that ship with greenlight, found from the package root (works from source and from dist/). */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find greenlight's package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

export const DEMO_FLEET_PATH = join(packageRoot(), 'demo', 'fleet.yaml');
