/**
 * Column widths of the parameter grid (src/cell/ParamGrid.tsx): a column dragged to a
 * width keeps it (in px, never under MIN_COLUMN_WIDTH); the others share the room left.
 * Resizing by hand: src/cell/grid/useColumnResize.ts.
 */

export const MIN_COLUMN_WIDTH = 60;
/** The narrowest a column not resized by hand gets. */
export const AUTO_COLUMN_WIDTH = 120;

/** The width after dragging a column edge `dx` px from a column `start` px wide. */
export function resizedWidth(start: number, dx: number, min = MIN_COLUMN_WIDTH): number {
  const w = Math.round(start + dx);
  return Number.isFinite(w) ? Math.max(min, w) : min;
}

/** How far a resize key press (arrow left or right) moves a column edge. */
export const RESIZE_STEP = 10;

/** The width change of a key press on a column edge; null for keys that do not resize. */
export function resizeKeyStep(key: string): number | null {
  return key === 'ArrowLeft' ? -RESIZE_STEP : key === 'ArrowRight' ? RESIZE_STEP : null;
}

/** The widths with `column` set to `width` px. */
export function withWidth(
  widths: Readonly<Record<string, number>>,
  column: string,
  width: number
): Record<string, number> {
  return { ...widths, [column]: width };
}

/** The widths with `column` back to the automatic width. */
export function autoWidth(
  widths: Readonly<Record<string, number>>,
  column: string
): Record<string, number> {
  const next = { ...widths };
  delete next[column];
  return next;
}

export interface GridTracks {
  /** Fixed-width tracks before the parameter columns (checkbox, row number), in px. */
  lead: number[];
  /** Fixed-width tracks after them (row actions), in px. */
  trail: number[];
}

const SELECT_W = 28;
const ROWNUM_W = 48;
const ACTIONS_W = 64;

/**
 * The grid's fixed tracks: the row checkbox and the row number before the parameters,
 * the row actions after; a read-only grid has only the row number.
 */
export function gridTracks(readOnly: boolean): GridTracks {
  return {
    lead: readOnly ? [ROWNUM_W] : [SELECT_W, ROWNUM_W],
    trail: readOnly ? [] : [ACTIONS_W],
  };
}

/** The CSS grid-template-columns of the grid's rows and header. */
export function gridTemplate(
  columns: readonly string[],
  widths: Readonly<Record<string, number>>,
  tracks: GridTracks
): string {
  const params = columns.length
    ? columns.map(c =>
        widths[c] !== undefined ? `${widths[c]}px` : `minmax(${AUTO_COLUMN_WIDTH}px, 1fr)`
      )
    : [`minmax(${AUTO_COLUMN_WIDTH}px, 1fr)`];
  return [...tracks.lead.map(w => `${w}px`), ...params, ...tracks.trail.map(w => `${w}px`)].join(
    ' '
  );
}

/** The least width the tracks need; wider than the grid, it scrolls sideways. */
export function gridMinWidth(
  columns: readonly string[],
  widths: Readonly<Record<string, number>>,
  tracks: GridTracks
): number {
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const params = columns.length
    ? sum(columns.map(c => widths[c] ?? AUTO_COLUMN_WIDTH))
    : AUTO_COLUMN_WIDTH;
  return sum(tracks.lead) + params + sum(tracks.trail);
}
