// The server and CLI as one JavaScript file for the wheel: jupyterlab_bulkrun/server/
// bulkrun.cjs, with the run-time assets beside it (src/assets.ts says where each goes).
// No node_modules tree and nothing native: SQLite is Node's own (src/store/sqlite.ts).
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const out = path.join(root, '..', 'jupyterlab_bulkrun', 'server');

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(out, 'bin'), { recursive: true });

esbuild.buildSync({
  entryPoints: [path.join(root, 'src', 'cli', 'main.ts')],
  outfile: path.join(out, 'bulkrun.cjs'),
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  keepNames: true,
  legalComments: 'external',
  define: { BULKRUN_BUNDLED: 'true' },
  // Optional native speed-ups their packages fall back from when absent.
  external: ['msgpackr-extract', 'bufferutil', 'utf-8-validate'],
  logLevel: 'warning',
});

const copies = [
  ['src/backends/wrapper.sh', 'wrapper.sh'],
  ['src/backends/spawner.pl', 'spawner.pl'],
  ['src/store/migrations', 'migrations'],
  ['apps', 'apps'],
  ['bin/bulkrun', 'bin/bulkrun'],
];
for (const [from, to] of copies) {
  fs.cpSync(path.join(root, from), path.join(out, to), { recursive: true });
}
fs.writeFileSync(
  path.join(out, 'bin', 'bulkrun.js'),
  "#!/usr/bin/env node\n'use strict';\nrequire('../bulkrun.cjs');\n",
  { mode: 0o755 }
);
const size = fs.statSync(path.join(out, 'bulkrun.cjs')).size;
console.log(`bundle: ${path.relative(process.cwd(), out)}/bulkrun.cjs (${(size / 1e6).toFixed(1)} MB)`);
