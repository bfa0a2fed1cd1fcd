/**
 * The Python API in a real notebook kernel (bulkrun/): a Batch displays as the live
 * widget, stays live after a page reload with its kernel shut down (the widget's state is
 * saved in the notebook), and bulkrun.grid() submits from the page.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as path from 'path';

test.use({ autoGoto: true });
test.setTimeout(180000);

const DOCS_IMAGES = path.resolve(__dirname, '..', '..', 'docs', 'images');

/** What "Shut Down All Kernels" does: every session and its kernel gone. */
async function shutDownSessions(page: IJupyterLabPageFixture): Promise<void> {
  const sessions = await (await page.request.get('/api/sessions')).json();
  for (const s of sessions) {
    expect((await page.request.delete(`/api/sessions/${s.id}`)).status()).toBe(204);
  }
  await expect
    .poll(async () => (await (await page.request.get('/api/kernels')).json()).length)
    .toBe(0);
}

test.describe('Python API', () => {
  test('a Batch from a DataFrame shows live, and again after a reload without its kernel', async ({
    page,
    context,
    tmpPath,
  }) => {
    await page.notebook.createNew('pyapi.ipynb', { kernel: 'python3' });
    await page.notebook.setCell(
      0,
      'code',
      [
        'import bulkrun, pandas as pd',
        'df = pd.DataFrame({"seconds": [0, 0, 1, 12]})',
        'b = bulkrun.submit("demo-sleep", df, label="from-python")',
        'b',
      ].join('\n')
    );
    await page.notebook.runCell(0, true);
    const widget = page.locator('.jp-OutputArea-output .jp-Bulkrun-widget').first();
    await expect(widget.locator('.jp-Bulkrun-headapp')).toHaveText('Sleep', { timeout: 30000 });
    // Live: the short rows finish while the long one still runs.
    await expect(widget.locator('.jp-Bulkrun-summary')).toContainText('3 completed', {
      timeout: 30000,
    });
    await expect(widget.locator('.jp-Bulkrun-summary')).toContainText('1 running');
    await page.screenshot({ path: path.join(DOCS_IMAGES, 'python-widget.png') });

    await page.notebook.save();
    await page.notebook.close();
    await shutDownSessions(page);
    // A new page: nothing of the old one survives; the kernel that made the batch is gone.
    const base = page.url().replace(/\/lab.*$/, '');
    await page.close();
    const page2 = await context.newPage();
    await page2.goto(`${base}/lab/tree/${tmpPath}/pyapi.ipynb`);
    const again = page2.locator('.jp-OutputArea-output .jp-Bulkrun-widget').first();
    await expect(again.locator('.jp-Bulkrun-headapp')).toHaveText('Sleep', { timeout: 30000 });
    // The long row ends after the reload: the view follows the server, not the kernel.
    await expect(again.locator('.jp-Bulkrun-summary')).toHaveText('4 completed', {
      timeout: 60000,
    });
    await page2.close();
  });

  test('bulkrun.grid() is an editable grid whose Run submits; grid.batch is the batch', async ({
    page,
  }) => {
    await page.notebook.createNew('pygrid.ipynb', { kernel: 'python3' });
    await page.notebook.setCell(
      0,
      'code',
      [
        'import bulkrun',
        'g = bulkrun.grid("demo-echo", [{"message": "alpha"}, {"message": "beta"}], label="grid-run")',
        'g',
      ].join('\n')
    );
    await page.notebook.runCell(0, true);
    const view = page.locator('.jp-OutputArea-output .jp-Bulkrun-widget .jp-Bulkrun-view').first();
    await expect(view.locator('[data-cell="1:0"]')).toHaveValue('beta', { timeout: 30000 });
    await view.locator('[data-cell="1:0"]').fill('gamma');
    await view.locator('.jp-Bulkrun-run').click();
    await expect(view.locator('.jp-Bulkrun-summary')).toHaveText('2 completed', {
      timeout: 60000,
    });
    await page.notebook.addCell(
      'code',
      'gb = g.batch.wait(progress=False)\nprint(gb.status, gb.label, list(gb.jobs()["message"]))'
    );
    await page.notebook.runCell(1);
    const out = (await page.notebook.getCellLocator(1))!.locator('.jp-OutputArea');
    await expect(out).toContainText("completed grid-run ['alpha', 'gamma']");
  });
});
