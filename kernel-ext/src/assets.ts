/**
 * Files the server needs at run time besides its code: the job wrapper, the local
 * spawner, the SQL migrations, the demo apps and the `bulkrun` launchers jobs call.
 * Compiled (kernel-ext/dist) they sit where scripts/copy-assets.js puts them; bundled
 * (jupyterlab_bulkrun/server/bulkrun.cjs, scripts/bundle.js) they sit beside the bundle.
 */
import * as path from 'path';

/** Set to true by the bundler (scripts/bundle.js); undefined in the compiled tree. */
declare const BULKRUN_BUNDLED: boolean | undefined;

export type Asset = 'wrapper.sh' | 'spawner.pl' | 'migrations' | 'apps' | 'bin';

const bundled = typeof BULKRUN_BUNDLED !== 'undefined' && BULKRUN_BUNDLED;

// Compiled: this file is kernel-ext/dist/assets.js.
const COMPILED: Record<Asset, string> = {
  'wrapper.sh': path.join(__dirname, 'backends', 'wrapper.sh'),
  'spawner.pl': path.join(__dirname, 'backends', 'spawner.pl'),
  migrations: path.join(__dirname, 'store', 'migrations'),
  apps: path.join(__dirname, '..', 'apps'),
  bin: path.join(__dirname, '..', 'bin'),
};

export function assetPath(name: Asset): string {
  // Bundled: __dirname is the bundle's own dir, with every asset beside it.
  return bundled ? path.join(__dirname, name) : COMPILED[name];
}
