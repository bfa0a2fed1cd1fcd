/**
 * The galata smoke test against JupyterLab installed from the wheel (scripts/test-wheel):
 * that venv's `jupyter lab`, run without system Node (scripts/without-node), on its own
 * port and data dir; the bulk-run cell submits a batch and shows its fan-in result.
 */
const os = require('os');
const path = require('path');

const port = process.env.BULKRUN_WHEEL_UI_PORT || '8878';
process.env.BULKRUN_UI_PORT = port;
process.env.BULKRUN_UI_DATA_DIR = path.join(os.tmpdir(), `bulkrun-ui-data-wheel-${port}`);
const base = require('./playwright.config');
const venv = process.env.BULKRUN_WHEEL_VENV || path.resolve(__dirname, '..', '.data', 'wheel-venv');
const withoutNode = path.resolve(__dirname, '..', 'scripts', 'without-node');

module.exports = {
  ...base,
  testMatch: 'bulkrun.spec.ts',
  grep: /submit to the local backend/,
  webServer: {
    ...base.webServer,
    command: `"${withoutNode}" "${path.join(venv, 'bin', 'jupyter')}" lab --config jupyter_server_test_config.py`,
    env: {
      ...base.webServer.env,
      BULKRUN_UI_PORT: port,
      BULKRUN_UI_DATA_DIR: process.env.BULKRUN_UI_DATA_DIR,
      PATH: `${path.join(venv, 'bin')}:/usr/local/bin:/usr/bin:/bin`,
    },
    reuseExistingServer: false,
  },
};
