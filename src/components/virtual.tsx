/** A fixed-row-height virtualized list: only the visible rows are in the DOM. */
import { useVirtualizer } from '@tanstack/react-virtual';
import * as React from 'react';

export interface VirtualListHandle {
  scrollToIndex(i: number): void;
}

export const VirtualList = React.forwardRef(function VirtualList(
  props: {
    count: number;
    rowHeight: number;
    maxHeight: number;
    renderRow: (index: number, style: React.CSSProperties) => React.ReactNode;
    className?: string;
    /** Extra props for the scrolling element (role, aria, key handlers). */
    outer?: React.HTMLAttributes<HTMLDivElement> & Record<string, unknown>;
  },
  ref: React.Ref<VirtualListHandle>
): JSX.Element {
  const parent = React.useRef<HTMLDivElement>(null);
  const v = useVirtualizer({
    count: props.count,
    getScrollElement: () => parent.current,
    estimateSize: () => props.rowHeight,
    overscan: 8,
  });
  React.useImperativeHandle(ref, () => ({
    scrollToIndex: (i: number) => v.scrollToIndex(i, { align: 'auto' }),
  }));
  const height = Math.min(
    props.maxHeight,
    Math.max(props.rowHeight, props.count * props.rowHeight)
  );
  return (
    <div
      ref={parent}
      className={`jp-Bulkrun-virtual ${props.className ?? ''}`}
      style={{ height, overflow: 'auto' }}
      {...props.outer}
    >
      <div style={{ height: v.getTotalSize(), position: 'relative' }}>
        {v.getVirtualItems().map(item =>
          props.renderRow(item.index, {
            position: 'absolute',
            top: 0,
            left: 0,
            right: 0,
            height: props.rowHeight,
            transform: `translateY(${item.start}px)`,
          })
        )}
      </div>
    </div>
  );
});
