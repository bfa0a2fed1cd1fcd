/**
 * Usage in a real JupyterLab against the real Bulkrun server (local backend): a batch's
 * measured efficiency in the Status tab, and the Configure tab's suggestion from the
 * app's past runs, applied in one click.
 */
import { expect, test } from '@jupyterlab/galata';
import { chooseApp, newBulkCell, paste } from './cell';

test.use({ autoGoto: true });
test.setTimeout(180000);

test('a batch shows its efficiency; past runs suggest the memory for the next', async ({
  page,
}) => {
  const view = await newBulkCell(page, 'usage.ipynb');
  await chooseApp(view, 'demo-echo');
  // Six rows: more than the server's minimum of runs for a suggestion.
  const rows = ['message\trepeat'];
  for (let i = 1; i <= 6; i++) {
    rows.push(`run ${i}\t${i}`);
  }
  await paste(view, rows.join('\n'));
  await view.locator('.jp-Bulkrun-run').click();
  await expect(view.locator('.jp-Bulkrun-summary')).toHaveText('6 completed', { timeout: 60000 });

  // The Status tab: memory used of the app's 100M, CPU efficiency, the rows' histogram.
  const eff = view.locator('.jp-Bulkrun-efficiency');
  await expect(eff).toContainText('6 of 6 rows measured', { timeout: 15000 });
  await expect(eff).toContainText(/Memory used: median .* of 100 MB \(\d+%\)/);
  await expect(eff).toContainText('CPU efficiency');
  const histogram = eff.locator('[role="img"]');
  await expect(histogram).toHaveAttribute(
    'aria-label',
    /^Rows by memory used of requested: 0–10%: \d+/
  );
  await expect(histogram.locator('.jp-Bulkrun-histogram-bar')).toHaveCount(10);
  await eff.screenshot({ path: test.info().outputPath('efficiency-light.png') });

  // Configure again: the hint counts the runs and offers the suggested memory.
  const usage = await (await page.request.get('/bulkrun/api/v1/apps/demo-echo/usage')).json();
  expect(usage.runs).toBeGreaterThanOrEqual(6);
  await view.locator('.jp-Bulkrun-tabbutton:has-text("Configure")').click();
  await view.locator('button:has-text("Edit for a new run")').click();
  await view.locator('summary:has-text("Resources")').click();
  const hint = view.locator('.jp-Bulkrun-usagehint');
  await expect(hint).toContainText(`${usage.runs} past runs · peak memory p95`, { timeout: 15000 });
  await expect(hint).toContainText('you ask 100 MB');
  await expect(hint.locator('span').first()).toHaveAttribute('title', /Memory:/);
  const use = hint.locator('button', { hasText: /^Use / });
  await expect(use).toBeVisible();
  const resources = view.locator('fieldset[aria-label="Resources per task"]');
  await resources.screenshot({ path: test.info().outputPath('usage-hint-light.png') });
  await use.click();
  const memory = view.locator('input[aria-label="Resources per task: memory"]');
  await expect(memory).toHaveValue(/^\d+M$/);
  // Without a model of memory by a parameter the value is the server's own suggestion.
  if (!usage.models.some((m: { measure: string }) => m.measure === 'maxRssBytes')) {
    await expect(memory).toHaveValue(usage.suggestion.memory);
  }
  // Applied: the button has nothing left to offer, and Run takes the new memory.
  await expect(use).toHaveCount(0);
  await expect(view.locator('.jp-Bulkrun-run')).toBeEnabled();

  await page.theme.setDarkTheme();
  await resources.screenshot({ path: test.info().outputPath('usage-hint-dark.png') });
  await view.locator('.jp-Bulkrun-tabbutton:has-text("Status")').click();
  await eff.screenshot({ path: test.info().outputPath('efficiency-dark.png') });
});
