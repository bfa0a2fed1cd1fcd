// docs/openapi.json: the OpenAPI document of the REST API (src/server/openapi.ts).
//   node kernel-ext/scripts/openapi.js --write   writes it
//   node kernel-ext/scripts/openapi.js --check   fails when it differs (npm run lint)
// Built from the TypeScript sources with esbuild, as bundle.js does, so the check needs
// no server build and never reads a stale kernel-ext/dist.
const esbuild = require('esbuild');
const fs = require('fs');
const { createRequire } = require('module');
const path = require('path');

const root = path.join(__dirname, '..');
const target = path.join(root, '..', 'docs', 'openapi.json');
const entry = path.join(root, 'src', 'server', 'openapi.ts');

function load() {
  const out = esbuild.buildSync({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    packages: 'external',
    logLevel: 'warning',
  });
  const mod = { exports: {} };
  const code = out.outputFiles[0].text;
  new Function('module', 'exports', 'require', code)(mod, mod.exports, createRequire(entry));
  return mod.exports;
}

const mode = process.argv[2];
if (mode !== '--write' && mode !== '--check') {
  console.error('usage: node kernel-ext/scripts/openapi.js --write | --check');
  process.exit(2);
}
const { version } = require(path.join(root, 'package.json'));
const text = JSON.stringify(load().buildOpenApi(version), null, 2) + '\n';
const rel = path.relative(process.cwd(), target);
if (mode === '--write') {
  fs.writeFileSync(target, text);
  console.log(`openapi: wrote ${rel}`);
} else {
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (current !== text) {
    console.error(
      `openapi: ${rel} does not match kernel-ext/src/server/api-schema.ts; ` +
        'run: node kernel-ext/scripts/openapi.js --write'
    );
    process.exit(1);
  }
  console.log(`openapi: ${rel} is up to date`);
}
