/**
 * What the UI specs do to a bulk-run cell: add one to a new notebook, choose its app,
 * paste rows into its grid as a spreadsheet would.
 */
import { expect, IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';

/** Creates a notebook and inserts a bulk-run cell with the palette command. */
export async function newBulkCell(page: IJupyterLabPageFixture, name: string): Promise<Locator> {
  await page.notebook.createNew(name);
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('bulkrun:insert-cell'));
  const view = page.locator('.jp-Bulkrun-view').first();
  await expect(view).toBeVisible();
  return view;
}

export async function chooseApp(
  view: Locator,
  id: string,
  picker = '.jp-Bulkrun-apppicker input'
): Promise<void> {
  const input = view.locator(picker).first();
  await input.click();
  await input.fill(id);
  // The first match is the app (the list loads from the server on first use).
  await expect(view.locator('[role="option"]').first()).toContainText(id);
  await view.page().keyboard.press('Enter');
  await expect(input).toHaveValue(new RegExp(`\\(${id}\\)`));
}

/** Pastes a block (as a spreadsheet would) into the grid's first cell. */
export async function paste(view: Locator, text: string): Promise<void> {
  const cell = view.locator('[data-cell="0:0"]');
  await cell.click();
  await cell.evaluate((el, t) => {
    const dt = new DataTransfer();
    dt.setData('text/plain', t);
    el.dispatchEvent(
      new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true })
    );
  }, text);
}
