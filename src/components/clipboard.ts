/** Copying text to the clipboard and saving text as a download, for the cell's tables. */
import { Clipboard } from '@jupyterlab/apputils';

/**
 * Puts `text` on the system clipboard: through navigator.clipboard where the page may
 * use it (secure contexts), else through JupyterLab's copy event.
 */
export async function copyText(text: string): Promise<void> {
  if (typeof navigator !== 'undefined' && navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // Refused (no permission, or the page is not focused): use the copy event instead.
    }
  }
  Clipboard.copyToSystem(text);
}

/** Offers `text` as a file download, as the Configure tab's Export CSV does. */
export function downloadText(text: string, filename: string, type: string): void {
  const blob = new Blob([text], { type });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
