/**
 * The bulk-run cell and the jobs panel in a real JupyterLab, against the real Bulkrun
 * server (local backend) behind Jupyter's proxy.
 */
import { expect, galata, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { chooseApp, newBulkCell, paste } from './cell';

test.use({ autoGoto: true });
test.setTimeout(120000);

const DOCS_IMAGES = path.resolve(__dirname, '..', '..', 'docs', 'images');

async function run(view: Locator): Promise<void> {
  const button = view.locator('.jp-Bulkrun-run');
  await expect(button).toBeEnabled();
  await button.click();
  await expect(view.locator('.jp-Bulkrun-tabbutton[aria-selected="true"]')).toHaveText('Status');
}

function summary(view: Locator): Locator {
  return view.locator('.jp-Bulkrun-summary');
}

async function serverRoot(page: IJupyterLabPageFixture): Promise<string> {
  return page.evaluate(
    () => JSON.parse(document.getElementById('jupyter-config-data')!.textContent!).serverRoot
  );
}

test.describe('bulk-run cell', () => {
  test('insert from the toolbar, fill by paste, invalid rows block Run with reasons', async ({
    page,
  }) => {
    await page.notebook.createNew('paste.ipynb');
    await page.locator('.jp-Bulkrun-toolbarbutton').click();
    const view = page.locator('.jp-Bulkrun-view');
    await expect(view).toBeVisible();
    await expect(view.locator('.jp-Bulkrun-problems')).toContainText('Choose an app.');
    await chooseApp(view, 'demo-echo');
    await paste(view, 'message\trepeat\nfirst\t1\nsecond\t0\nthird\tmany\n');
    await expect(view.locator('.jp-Bulkrun-grid [role="row"][aria-rowindex]')).toHaveCount(3);
    await expect(view.locator('[data-cell="1:0"]')).toHaveValue('second');
    const runButton = view.locator('.jp-Bulkrun-run');
    await expect(runButton).toBeDisabled();
    await expect(view.locator('.jp-Bulkrun-problems')).toContainText('2 row(s) have errors');
    await expect(view.locator('[data-cell="1:1"]')).toHaveAttribute('aria-invalid', 'true');
    await expect(view.locator('.jp-Bulkrun-cellerror').first()).toContainText('must be ≥ 1');
    // Fix both rows with the keyboard: the grid moves down with Enter.
    await view.locator('[data-cell="1:1"]').fill('2');
    await page.keyboard.press('Enter');
    await expect(view.locator('[data-cell="2:1"]')).toBeFocused();
    await page.keyboard.press('Control+a');
    await page.keyboard.type('3');
    await expect(runButton).toBeEnabled();
    await expect(view.locator('.jp-Bulkrun-problems')).toHaveCount(0);
    // The draft lives in the cell metadata, so saving the notebook keeps it.
    await page.waitForTimeout(500);
    const meta = await page.evaluate(() => {
      const nb = (window as any).jupyterapp.shell.currentWidget.content;
      return nb.activeCell.model.getMetadata('bulkrun');
    });
    expect(meta.draft.app).toBe('demo-echo');
    expect(meta.draft.rows).toHaveLength(3);
    expect(meta.draft.rows[2]).toEqual({ message: 'third', repeat: '3' });
  });

  test('submit to the local backend, watch it complete, fan-in result shows', async ({ page }) => {
    const view = await newBulkCell(page, 'echo.ipynb');
    await chooseApp(view, 'demo-echo');
    await paste(view, 'message\none\ntwo\nthree\n');
    await view.locator('summary:has-text("Resources")').click();
    await view.locator('text=Run a fan-in job').click();
    await chooseApp(view, 'demo-merge', '.jp-Bulkrun-fanin .jp-Bulkrun-apppicker input');
    await view.locator('.jp-Bulkrun-run').click();
    await expect(summary(view)).toHaveText('3 completed', { timeout: 60000 });
    await expect(view.locator('.jp-Bulkrun-fanin-line .jp-Bulkrun-badge')).toHaveText('completed', {
      timeout: 30000,
    });
    await view.locator('.jp-Bulkrun-tabbutton:has-text("Results")').click();
    await expect(view.locator('.jp-Bulkrun-faninoutput')).toContainText('three');
    await expect(view.locator('.jp-Bulkrun-resultrow')).toHaveCount(3);
    // The end of the batch is announced, with an action to open it.
    await expect(page.getByText(/Bulk run '.*' finished: 3 completed/).first()).toBeVisible({
      timeout: 15000,
    });
    await view.locator('.jp-Bulkrun-tabbutton:has-text("Timeline")').click();
    await expect(
      view.locator('.jp-Bulkrun-timeline svg rect.jp-Bulkrun-fill-completed')
    ).toHaveCount(4);
  });

  test('relative paths are read from the notebook folder; a missing file blocks Run', async ({
    page,
    tmpPath,
  }) => {
    for (const n of [1, 2, 3]) {
      await page.contents.uploadContent(`word ${n}\n`, 'text', `${tmpPath}/texts/file${n}.txt`);
    }
    const view = await newBulkCell(page, 'paths.ipynb');
    await chooseApp(view, 'demo-wordcount');
    await expect(view.locator('.jp-Bulkrun-pathnote')).toContainText(tmpPath);
    // As the file browser shows them, relative to the notebook; file9 does not exist.
    await paste(view, 'input\ntexts/file1.txt\ntexts/file9.txt\n');
    await expect(view.locator('[data-cell="1:0"]')).toHaveAttribute('aria-invalid', 'true', {
      timeout: 10000,
    });
    await expect(view.locator('.jp-Bulkrun-problems')).toContainText(
      'texts/file9.txt: no such file'
    );
    await expect(view.locator('.jp-Bulkrun-run')).toBeDisabled();
    await view.screenshot({ path: path.join(DOCS_IMAGES, 'paths.png') });
    // Fill from files: the glob and the paths it fills are relative to the notebook too.
    await view.locator('button:has-text("Fill from files")').click();
    const fill = view.locator('.jp-Bulkrun-fill');
    await fill.locator('label:has-text("Pair mates") input').uncheck();
    await fill.locator('input[aria-label="File pattern"]').fill('texts/*.txt');
    await fill.locator('button:has-text("Find files")').click();
    await expect(fill).toContainText('texts/file3.txt');
    await fill.locator('button:has-text("Fill 3 rows")').click();
    // The grid has rows already: replace them (when asked).
    const replace = page.locator('.jp-Dialog button', { hasText: /Replace/ });
    if (await replace.isVisible({ timeout: 2000 }).catch(() => false)) {
      await replace.click();
    }
    await expect(view.locator('[data-cell="0:0"]')).toHaveValue('texts/file1.txt');
    await expect(view.locator('[data-cell="2:0"]')).toHaveValue('texts/file3.txt');
    await run(view);
    await expect(summary(view)).toHaveText('3 completed', { timeout: 60000 });
    // Results: the app's declared outputs as columns, sortable, copied and downloaded.
    await view.locator('.jp-Bulkrun-tabbutton:has-text("Results")').click();
    const table = view.locator('.jp-Bulkrun-resulttable');
    for (const col of ['lines', 'words', 'bytes']) {
      await expect(table.locator('.jp-Bulkrun-table-head')).toContainText(col);
    }
    await expect(view.locator('.jp-Bulkrun-resultrow')).toHaveCount(3);
    const downloading = page.waitForEvent('download');
    await view.locator('button:has-text("Download CSV")').click();
    const csv = fs.readFileSync((await (await downloading).path())!, 'utf8');
    expect(csv.split(/\r?\n/).filter(Boolean)).toHaveLength(4);
    expect(csv).toContain('texts/file3.txt');
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await view.locator('.jp-Bulkrun-results button:has-text("Copy")').click();
    await expect(view.locator('.jp-Bulkrun-results [aria-live="polite"]')).toHaveText(
      'Copied 3 rows'
    );
  });

  test('rows import from an Excel workbook next to the notebook', async ({ page, tmpPath }) => {
    // fixtures/rows.xlsx: one sheet, a header "Input file" (the parameter's title) and
    // the rows texts/x1.txt, texts/x2.txt.
    await page.contents.uploadFile(
      path.join(__dirname, '..', 'fixtures', 'rows.xlsx'),
      `${tmpPath}/rows.xlsx`
    );
    for (const n of [1, 2]) {
      await page.contents.uploadContent(`x ${n}\n`, 'text', `${tmpPath}/texts/x${n}.txt`);
    }
    const view = await newBulkCell(page, 'xlsx.ipynb');
    await chooseApp(view, 'demo-wordcount');
    await view.locator('button:has-text("Import from the notebook")').click();
    const dialog = page.locator('.jp-Dialog');
    await dialog.locator('[role="option"]', { hasText: 'rows.xlsx' }).click();
    await dialog.locator('button:has-text("Import")').click();
    await expect(view.locator('[data-cell="1:0"]')).toHaveValue('texts/x2.txt');
    await run(view);
    await expect(summary(view)).toHaveText('2 completed', { timeout: 60000 });
  });

  test('a failing row, retry failed, completes and the fan-in runs', async ({ page, tmpPath }) => {
    const root = await serverRoot(page);
    await page.contents.uploadContent('alpha beta\n', 'text', `${tmpPath}/a.txt`);
    await page.contents.uploadContent('gamma\n', 'text', `${tmpPath}/b.txt`);
    // There at submission (paths are checked), but a folder: the row fails when it runs.
    await page.contents.createDirectory(`${tmpPath}/late.txt`);
    const dir = path.join(root, tmpPath);
    const view = await newBulkCell(page, 'retry.ipynb');
    await chooseApp(view, 'demo-wordcount');
    await paste(view, `input\n${dir}/a.txt\n${dir}/b.txt\n${dir}/late.txt\n`);
    await view.locator('summary:has-text("Resources")').click();
    await view.locator('text=Run a fan-in job').click();
    await chooseApp(view, 'demo-merge', '.jp-Bulkrun-fanin .jp-Bulkrun-apppicker input');
    await run(view);
    await expect(summary(view)).toHaveText('2 completed, 1 failed', { timeout: 60000 });
    const failedRow = view.locator('.jp-Bulkrun-table-row.jp-Bulkrun-row-error');
    await expect(failedRow.locator('.jp-Bulkrun-reason')).toContainText('job_crashed');
    // The input appears; retrying the failed row now succeeds and releases the fan-in.
    await page.contents.deleteDirectory(`${tmpPath}/late.txt`);
    await page.contents.uploadContent('delta epsilon zeta\n', 'text', `${tmpPath}/late.txt`);
    await view.locator('button:has-text("Retry failed")').click();
    // Retrying is no danger: its confirmation is a plain accept button.
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await expect(summary(view)).toHaveText('3 completed (1 retried)', { timeout: 60000 });
    await expect(view.locator('.jp-Bulkrun-fanin-line .jp-Bulkrun-badge')).toHaveText('completed', {
      timeout: 30000,
    });
    // The retried row groups its attempts: the newest shows, history on expand.
    await view.locator('button[aria-label="Show attempts"]').click();
    await expect(view.locator('.jp-Bulkrun-table-row.jp-mod-attempt')).toHaveCount(1);
    await view.locator('.jp-Bulkrun-tabbutton:has-text("Results")').click();
    await expect(view.locator('.jp-Bulkrun-faninoutput')).toBeVisible();
  });

  test('fan-in over all finished rows runs again after a failed row is retried', async ({
    page,
    tmpPath,
  }) => {
    const root = await serverRoot(page);
    await page.contents.uploadContent('alpha beta\n', 'text', `${tmpPath}/a.txt`);
    await page.contents.createDirectory(`${tmpPath}/late.txt`);
    const dir = path.join(root, tmpPath);
    const view = await newBulkCell(page, 'rerun.ipynb');
    await chooseApp(view, 'demo-wordcount');
    await paste(view, `input\n${dir}/a.txt\n${dir}/late.txt\n`);
    await view.locator('summary:has-text("Resources")').click();
    await view.locator('text=Run a fan-in job').click();
    await chooseApp(view, 'demo-merge', '.jp-Bulkrun-fanin .jp-Bulkrun-apppicker input');
    await view.locator('select[aria-label="Fan-in policy"]').selectOption('all_finished');
    await run(view);
    // The fan-in runs over what finished, with nothing for the failed row.
    const fanInLine = view.locator('.jp-Bulkrun-fanin-line');
    await expect(fanInLine.locator('.jp-Bulkrun-badge')).toHaveText('completed', {
      timeout: 60000,
    });
    await expect(summary(view)).toHaveText('1 completed, 1 failed');
    await view.locator('.jp-Bulkrun-tabbutton:has-text("Results")').click();
    await expect(view.locator('.jp-Bulkrun-faninoutput')).toContainText('"withOutput": 1');
    // The missing input appears; the retried row completes and the fan-in runs again.
    await page.contents.deleteDirectory(`${tmpPath}/late.txt`);
    await page.contents.uploadContent('gamma delta\n', 'text', `${tmpPath}/late.txt`);
    await view.locator('.jp-Bulkrun-tabbutton:has-text("Status")').click();
    await view.locator('button:has-text("Retry failed")').click();
    // Retrying is no danger: its confirmation is a plain accept button.
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await expect(summary(view)).toHaveText('2 completed (1 retried)', { timeout: 60000 });
    await expect(fanInLine).toContainText('Fan-in (run 2)', { timeout: 30000 });
    await expect(fanInLine.locator('.jp-Bulkrun-badge')).toHaveText('completed', {
      timeout: 30000,
    });
    await view.locator('.jp-Bulkrun-tabbutton:has-text("Results")').click();
    await expect(view.locator('.jp-Bulkrun-faninoutput')).toContainText('"withOutput": 2');
  });

  test('edit a failed row and rerun it with the fixed path', async ({ page, tmpPath }) => {
    await page.contents.uploadContent('one two\n', 'text', `${tmpPath}/good.txt`);
    await page.contents.createDirectory(`${tmpPath}/folder.txt`);
    const view = await newBulkCell(page, 'edit.ipynb');
    await chooseApp(view, 'demo-wordcount');
    await paste(view, 'input\ngood.txt\nfolder.txt\n');
    await run(view);
    await expect(summary(view)).toHaveText('1 completed, 1 failed', { timeout: 60000 });
    await view.locator('button[aria-label="Edit row 2 and rerun"]').click();
    const dialog = page.locator('.jp-Dialog');
    await dialog.locator('input[aria-label="input"]').fill('good.txt');
    await dialog.locator('button:has-text("Rerun")').click();
    await expect(summary(view)).toHaveText('2 completed (1 retried)', { timeout: 60000 });
  });

  test('undo brings a deleted bulk-run cell back with its batch', async ({ page }) => {
    await page.notebook.createNew('undo.ipynb');
    await page.notebook.setCell(0, 'code', 'x = 1');
    await page.evaluate(() => (window as any).jupyterapp.commands.execute('bulkrun:insert-cell'));
    const view = page.locator('.jp-Bulkrun-view').first();
    await chooseApp(view, 'demo-echo');
    await paste(view, 'message\nundo me\n');
    await run(view);
    await expect(summary(view)).toHaveText('1 completed', { timeout: 60000 });
    // The notebook's shared model groups changes less than 500 ms apart into one undo step;
    // keeping the run's last writes, the delete and the undo apart makes the undo take back
    // the delete (without the waits, one run in two undid something else here).
    await page.waitForTimeout(700);
    await page.evaluate(async () => {
      const app = (window as any).jupyterapp;
      await app.commands.execute('notebook:delete-cell');
    });
    await expect(page.locator('.jp-Bulkrun-view')).toHaveCount(0);
    await page.waitForTimeout(700);
    await page.evaluate(async () => {
      const app = (window as any).jupyterapp;
      await app.commands.execute('notebook:undo-cell-action');
    });
    const back = page.locator('.jp-Bulkrun-view').first();
    await expect(back.locator('.jp-Bulkrun-summary')).toHaveText('1 completed', {
      timeout: 30000,
    });
  });

  test('cancel a running batch', async ({ page }) => {
    const view = await newBulkCell(page, 'cancel.ipynb');
    await chooseApp(view, 'demo-sleep');
    await paste(view, 'seconds\n60\n60\n60\n60\n');
    await run(view);
    await expect(summary(view)).toContainText('running', { timeout: 30000 });
    await view.locator('button:has-text("Cancel batch")').click();
    await page.locator('.jp-Dialog .jp-mod-warn').click();
    await expect(view.locator('.jp-Bulkrun-statushead .jp-Bulkrun-badge')).toHaveText('cancelled', {
      timeout: 30000,
    });
    await expect(summary(view)).toHaveText('4 cancelled');
    await expect(view.locator('button:has-text("Retry cancelled")')).toBeEnabled();
  });

  test('close the notebook and the page mid-run, reopen: the batch ran on; the jobs panel lists it', async ({
    page,
    tmpPath,
  }) => {
    const view = await newBulkCell(page, 'reopen.ipynb');
    await chooseApp(view, 'demo-echo');
    // Rows that take a few seconds: the page goes away while they run.
    await paste(view, 'message\trepeat\tdelay\nkeep\t4\t1\nme\t4\t1\n');
    await run(view);
    await expect(summary(view)).toContainText('running', { timeout: 30000 });
    await page.evaluate(async () => {
      const app = (window as any).jupyterapp;
      await app.commands.execute('docmanager:save');
      await app.commands.execute('application:close-all');
    });
    await expect(page.locator('.jp-Bulkrun-view')).toHaveCount(0, { timeout: 20000 });
    // A new page: nothing of the old one survives, the state comes from the server.
    const base = page.url().replace(/\/lab.*$/, '');
    const page2 = await page.context().newPage();
    await page2.goto(`${base}/lab/tree/${tmpPath}/reopen.ipynb`);
    const again = page2.locator('.jp-Bulkrun-view');
    await expect(again).toBeVisible({ timeout: 60000 });
    await expect(again.locator('.jp-Bulkrun-tabbutton[aria-selected="true"]')).toHaveText('Status');
    // The rows kept running without any page; the reopened view follows them to the end.
    await expect(again.locator('.jp-Bulkrun-summary')).toHaveText('2 completed', {
      timeout: 60000,
    });
    await again.locator('.jp-Bulkrun-tabbutton:has-text("Configure")').click();
    await expect(again.locator('.jp-Bulkrun-apppicker input').first()).toHaveValue(/demo-echo/);

    await page2.locator('.jp-SideBar [data-id="jp-bulkrun-jobs"]').click();
    const item = page2.locator('.jp-Bulkrun-jobitem', { hasText: 'reopen.ipynb' }).first();
    await expect(item).toBeVisible();
    await expect(item.locator('.jp-Bulkrun-badge')).toHaveText('completed');
    await page2.close();
  });

  test('a batch no cell shows opens from the jobs panel and attaches to a new cell', async ({
    page,
  }) => {
    // Submitted from outside the notebook (as the CLI or Python would): no cell knows it.
    const made = await page.request.post('/bulkrun/api/v1/batches', {
      data: {
        app: 'demo-echo',
        params: [{ message: 'from' }, { message: 'outside' }],
        label: 'orphan-batch',
      },
    });
    expect(made.status()).toBe(202);
    await page.locator('.jp-SideBar [data-id="jp-bulkrun-jobs"]').click();
    await page.locator('.jp-Bulkrun-jobname', { hasText: 'orphan-batch' }).first().click();
    const win = page.locator('.jp-Bulkrun-batchwindow');
    await expect(win.locator('.jp-Bulkrun-summary')).toHaveText('2 completed', {
      timeout: 60000,
    });
    await expect(win.locator('.jp-Bulkrun-headapp')).toHaveText('Echo a message');
    await win.locator('button:has-text("Attach to a new cell")').click();
    // No notebook was open: a new one is made on the default kernel, with no kernel dialog.
    const cell = page.locator('.jp-NotebookPanel .jp-Bulkrun-view').first();
    await expect(cell).toBeVisible({ timeout: 30000 });
    await expect(cell.locator('.jp-Bulkrun-summary')).toHaveText('2 completed', {
      timeout: 60000,
    });
    await expect(page.locator('.jp-NotebookPanel .jp-KernelName').first()).toContainText('Python', {
      timeout: 30000,
    });
    await expect(page.locator('.jp-Dialog')).toHaveCount(0);
    await cell.locator('.jp-Bulkrun-tabbutton:has-text("Configure")').click();
    await expect(cell.locator('[data-cell="1:0"]')).toHaveValue('outside');
  });

  test('a 2,000-row batch stays responsive', async ({ page }) => {
    const view = await newBulkCell(page, 'big.ipynb');
    await chooseApp(view, 'demo-echo');
    const lines = ['message'];
    for (let i = 1; i <= 2000; i++) {
      lines.push(`row ${i}`);
    }
    await paste(view, lines.join('\n'));
    await expect(view.locator('.jp-Bulkrun-grid-foot')).toContainText('2000 rows');
    await run(view);
    const table = view.locator('.jp-Bulkrun-table [role="grid"]');
    await expect(table.locator('[role="row"]').first()).toBeVisible({ timeout: 60000 });
    // Virtualized: only the visible rows are in the DOM.
    expect(await table.locator('[role="row"]').count()).toBeLessThan(60);
    const t0 = Date.now();
    await table.evaluate(el => (el.scrollTop = el.scrollHeight));
    await expect(table.locator('[aria-rowindex="2000"]')).toBeVisible();
    expect(Date.now() - t0).toBeLessThan(2000);
    await table.click();
    await page.keyboard.press('Home');
    await expect(table.locator('[aria-rowindex="1"]')).toBeVisible();
    // Progress keeps streaming in while the table is used; then stop the rest.
    const done = async () =>
      Number((/(\d+) completed/.exec((await summary(view).textContent()) ?? '') ?? [])[1] ?? 0);
    const before = await done();
    await expect.poll(done, { timeout: 30000 }).toBeGreaterThan(before);
    await view.locator('button:has-text("Cancel batch")').click();
    await page.locator('.jp-Dialog .jp-mod-warn').click();
    await expect(view.locator('.jp-Bulkrun-statushead .jp-Bulkrun-badge')).toHaveText('cancelled', {
      timeout: 30000,
    });
  });
});

test.describe('looks', () => {
  async function configured(page: IJupyterLabPageFixture): Promise<Locator> {
    const view = await newBulkCell(page, 'looks.ipynb');
    await chooseApp(view, 'demo-echo');
    await paste(view, 'message\trepeat\tdelay\nhello\t1\t0\nworld\t0\t0.5\nbulk run\t2\t\n');
    await page.locator('.jp-Bulkrun-apppicker input').first().blur();
    await page.mouse.move(0, 0);
    return view;
  }

  test('light theme', async ({ page }) => {
    const view = await configured(page);
    expect(await view.screenshot({ animations: 'disabled' })).toMatchSnapshot(
      'configure-light.png',
      {
        maxDiffPixelRatio: 0.02,
      }
    );
    await view.screenshot({ path: path.join(DOCS_IMAGES, 'configure.png') });
  });

  test('dark theme', async ({ page }) => {
    await page.theme.setDarkTheme();
    const view = await configured(page);
    expect(await view.screenshot({ animations: 'disabled' })).toMatchSnapshot(
      'configure-dark.png',
      {
        maxDiffPixelRatio: 0.02,
      }
    );
  });

  test('status tab for the README', async ({ page }) => {
    const view = await newBulkCell(page, 'status-shot.ipynb');
    await chooseApp(view, 'demo-echo');
    const rows = ['message\trepeat\tdelay'];
    for (let i = 1; i <= 16; i++) {
      rows.push(`sample ${i}\t${1 + (i % 3)}\t${(i % 4) * 0.7}`);
    }
    await paste(view, rows.join('\n'));
    await run(view);
    await expect(summary(view)).toContainText('completed', { timeout: 60000 });
    await view.screenshot({ path: path.join(DOCS_IMAGES, 'status.png') });
  });
});

void galata;
