/** The first sheet of an Excel workbook (.xlsx, as the KBase bulk import templates are). */
export async function readFirstSheet(data: Blob | ArrayBuffer): Promise<unknown[][]> {
  // Loaded on first use: most cells never import a workbook.
  const { readSheet } = await import('read-excel-file/browser');
  return (await readSheet(data)) as unknown[][];
}
