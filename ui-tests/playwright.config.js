/**
 * Galata UI tests against a real JupyterLab (from the repo's .venv) in Debian's Chromium.
 * Jupyter's token auth stays on: every context sends the token, so tests can also check
 * that a request without it is refused.
 */
const os = require('os');
const path = require('path');
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const port = process.env.BULKRUN_UI_PORT || '8877';
// Fixed default so the runner and its workers (which re-read this file) agree on it.
const token = process.env.BULKRUN_UI_TOKEN || 'bulkrun-ui-tests-token';
const baseURL = process.env.TARGET_URL || `http://127.0.0.1:${port}`;
const jupyter = path.resolve(__dirname, '..', '.venv', 'bin', 'jupyter');
// The Bulkrun data dir of the test server (the test server empties it when it starts).
const dataDir =
  process.env.BULKRUN_UI_DATA_DIR || path.join(os.tmpdir(), `bulkrun-ui-data-${port}`);
process.env.BULKRUN_UI_DATA_DIR = dataDir;
const jsonReport =
  process.env.BULKRUN_UI_JSON || path.join(__dirname, 'test-results', 'report.json');

module.exports = {
  ...baseConfig,
  reporter: [['list'], ['json', { outputFile: jsonReport }], ['html', { open: 'never' }]],
  forbidOnly: !!process.env.CI,
  retries: 0,
  use: {
    ...baseConfig.use,
    baseURL,
    // Video needs Playwright's own ffmpeg download; screenshots and traces do not.
    video: 'off',
    extraHTTPHeaders: { Authorization: `token ${token}` },
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  webServer: {
    command: `"${jupyter}" lab --config jupyter_server_test_config.py`,
    cwd: __dirname,
    env: { BULKRUN_UI_PORT: port, BULKRUN_UI_TOKEN: token, BULKRUN_UI_DATA_DIR: dataDir },
    url: `${baseURL}/api/status`,
    timeout: 120000,
    reuseExistingServer: !process.env.CI,
    stdout: 'pipe',
    stderr: 'pipe',
  },
};
