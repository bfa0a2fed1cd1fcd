// Copies non-TypeScript assets (the job wrapper, demo apps) next to the compiled code.
const fs = require('fs');
const path = require('path');
const root = path.join(__dirname, '..');
const pairs = [
  ['src/backends/wrapper.sh', 'dist/backends/wrapper.sh'],
  ['src/backends/spawner.pl', 'dist/backends/spawner.pl'],
  ['src/store/migrations', 'dist/store/migrations'],
];
for (const [from, to] of pairs) {
  const src = path.join(root, from);
  if (!fs.existsSync(src)) continue;
  fs.cpSync(src, path.join(root, to), { recursive: true });
}
