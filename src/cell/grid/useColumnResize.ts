/**
 * Resizing the parameter grid's columns by hand: drag a column's edge, or focus it and
 * press arrow left or right; a double-click gives the column its automatic width back
 * (src/model/columns.ts).
 */
import * as React from 'react';
import {
  autoWidth,
  MIN_COLUMN_WIDTH,
  resizedWidth,
  resizeKeyStep,
  withWidth,
} from '../../model/columns';

export type ResizeHandleProps = Required<
  Pick<
    React.HTMLAttributes<HTMLElement>,
    | 'onPointerDown'
    | 'onPointerMove'
    | 'onPointerUp'
    | 'onPointerCancel'
    | 'onKeyDown'
    | 'onDoubleClick'
  >
>;

export interface ColumnResize {
  /** Widths set by hand, in px, by column. */
  widths: Record<string, number>;
  /** The event handlers of a column's resize handle. */
  handle: (column: string) => ResizeHandleProps;
}

/** The width of the column head holding a resize handle. */
function headWidth(handle: HTMLElement): number | undefined {
  return handle.parentElement?.getBoundingClientRect().width;
}

export function useColumnResize(): ColumnResize {
  const [widths, setWidths] = React.useState<Record<string, number>>({});
  const drag = React.useRef<{ column: string; x: number; width: number } | null>(null);

  const moveResize = (e: React.PointerEvent<HTMLElement>) => {
    const d = drag.current;
    if (d) {
      setWidths(w => withWidth(w, d.column, resizedWidth(d.width, e.clientX - d.x)));
    }
  };
  const endResize = (e: React.PointerEvent<HTMLElement>) => {
    if (drag.current) {
      drag.current = null;
      e.currentTarget.releasePointerCapture?.(e.pointerId);
    }
  };

  const handle = (column: string): ResizeHandleProps => ({
    onPointerDown: e => {
      if (e.button !== 0) {
        return;
      }
      e.preventDefault();
      e.stopPropagation();
      drag.current = {
        column,
        x: e.clientX,
        width: widths[column] ?? headWidth(e.currentTarget) ?? MIN_COLUMN_WIDTH,
      };
      e.currentTarget.setPointerCapture?.(e.pointerId);
    },
    onPointerMove: moveResize,
    onPointerUp: endResize,
    onPointerCancel: endResize,
    onKeyDown: e => {
      const step = resizeKeyStep(e.key);
      if (step === null) {
        return;
      }
      e.preventDefault();
      const start = widths[column] ?? headWidth(e.currentTarget) ?? 0;
      setWidths(w => withWidth(w, column, resizedWidth(start, step)));
    },
    onDoubleClick: () => setWidths(w => autoWidth(w, column)),
  });

  return { widths, handle };
}
