/**
 * Paste into the parameter grid: a block (several cells or lines) fills the grid from the
 * focused cell (src/model/gridpaste.ts) and the grid says what it pasted; a single value
 * is left to the input.
 */
import * as React from 'react';
import type { JSONSchema } from '../../api/types';
import { useView } from '../../components/context';
import { isBlockPaste, pasteBlock, pasteNotice } from '../../model/gridpaste';
import type { Row } from '../../model/rows';

export interface GridClipboard {
  /** What the last paste did, for the grid's footer ('' before any). */
  notice: string;
  onPaste: (r: number, c: number) => (e: React.ClipboardEvent) => void;
}

export function useGridClipboard(o: {
  schema: JSONSchema;
  columns: string[];
  rows: Row[];
  readOnly: boolean;
  onChange: (rows: Row[]) => void;
}): GridClipboard {
  const { trans } = useView();
  const [notice, setNotice] = React.useState('');
  const onPaste = (r: number, c: number) => (e: React.ClipboardEvent) => {
    if (o.readOnly) {
      return;
    }
    const text = e.clipboardData.getData('text/plain');
    if (!isBlockPaste(text)) {
      return;
    }
    e.preventDefault();
    const { rows, pasted } = pasteBlock(o.rows, text, r, c, o.columns, o.schema);
    o.onChange(rows);
    setNotice(pasteNotice(pasted, trans));
  };
  return { notice, onPaste };
}
