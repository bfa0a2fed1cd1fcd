/**
 * Nested fan-out in a real JupyterLab (local backend): rows of demo-fanout each fan out
 * demo-echo tasks with a fan-in; each row shows its sub-batch's progress inline and
 * expands into the sub-batch's rows.
 */
import { expect, test } from '@jupyterlab/galata';
import { chooseApp, newBulkCell, paste } from './cell';

test.use({ autoGoto: true });
test.setTimeout(180000);

test('rows that fan out show their sub-batch inline and expand into its rows', async ({ page }) => {
  const view = await newBulkCell(page, 'nested.ipynb');
  await chooseApp(view, 'demo-fanout');
  await paste(view, 'n\tprefix\n3\tleft\n2\tright');
  await view.locator('.jp-Bulkrun-run').click();
  await expect(view.locator('.jp-Bulkrun-summary')).toHaveText('2 completed', { timeout: 90000 });

  // Each row says how its sub-batch went: 3 and 2 tasks, all done.
  const progress = view.locator('.jp-Bulkrun-subprogress-text');
  await expect(progress).toHaveText(['3/3', '2/2']);
  await expect(view.locator('.jp-Bulkrun-subprogress').first()).toHaveAttribute(
    'title',
    /Sub-batch: 3 of 3 done/
  );
  // Expanding the first row lists its tasks (and the fan-in), with their own logs.
  await view.getByRole('button', { name: 'Show sub-tasks' }).first().click();
  const sub = view.locator('.jp-Bulkrun-subbatch-params');
  await expect(sub.filter({ hasText: 'left' })).toHaveCount(3, { timeout: 15000 });
  await view.screenshot({ path: test.info().outputPath('nested-light.png') });
  await view.getByRole('button', { name: 'Hide sub-tasks' }).first().click();
  await expect(sub.filter({ hasText: 'left' })).toHaveCount(0);

  // The timeline opens a row into its sub-batch's lanes.
  await view.locator('.jp-Bulkrun-tabbutton:has-text("Timeline")').click();
  const chart = view.locator('svg[aria-label="Timeline of 2 rows"]');
  await expect(chart).toBeVisible();
  await view
    .getByRole('button', { name: /^Show the sub-batch of / })
    .first()
    .click();
  await expect(view.getByRole('button', { name: /^Hide the sub-batch of / })).toHaveCount(1);
  await expect(view.locator('svg[aria-label^="Timeline of"]')).not.toHaveAttribute(
    'aria-label',
    'Timeline of 2 rows'
  );
  await view.screenshot({ path: test.info().outputPath('nested-timeline.png') });
});
