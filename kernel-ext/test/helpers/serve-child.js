// Runs the compiled server in its own process (kill -9 tests): node serve-child.js '<ServeOptions JSON>'
const path = require('path');
const { startServer } = require(path.join(__dirname, '..', '..', 'dist', 'server'));
startServer(JSON.parse(process.argv[2])).then(
  s => process.stdout.write(`ready ${s.url}\n`),
  e => {
    process.stderr.write(String(e && e.stack) + '\n');
    process.exit(1);
  }
);
