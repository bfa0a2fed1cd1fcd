import * as React from 'react';
import { createRoot } from 'react-dom/client';
import { useRowHistory, type RowHistory } from '../cell/useRowHistory';
import type { Row } from '../model/rows';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;
const act = (React as any).act as (fn: () => void) => void;

/** The rows as the Configure tab holds them (the draft), with the history over them. */
function mount() {
  const out: { rows: Row[]; h: RowHistory; set: (rows: Row[]) => void } = {} as any;
  function Host(): null {
    const [rows, setRows] = React.useState<Row[]>([{}]);
    out.rows = rows;
    out.set = setRows;
    out.h = useRowHistory(rows, setRows);
    return null;
  }
  const root = createRoot(document.createElement('div'));
  act(() => root.render(React.createElement(Host)));
  return { out, unmount: () => act(() => root.unmount()) };
}

describe('row history of the Configure tab', () => {
  it('undoes typing in a cell as one step, then a paste, and redoes them', () => {
    const { out, unmount } = mount();
    expect(out.h.canUndo).toBe(false);
    act(() => out.h.change([{ a: 'h' }], 'cell:0:a:1'));
    act(() => out.h.change([{ a: 'hi' }], 'cell:0:a:1'));
    act(() => out.h.change([{ a: 'hi' }, { a: 'p' }]));
    expect(out.h.canUndo).toBe(true);
    act(() => out.h.undo());
    expect(out.rows).toEqual([{ a: 'hi' }]);
    act(() => out.h.undo());
    expect(out.rows).toEqual([{}]);
    expect(out.h.canUndo).toBe(false);
    expect(out.h.canRedo).toBe(true);
    act(() => out.h.redo());
    act(() => out.h.redo());
    expect(out.rows).toEqual([{ a: 'hi' }, { a: 'p' }]);
    expect(out.h.canRedo).toBe(false);
    unmount();
  });

  it('records changes made outside the grid (fill, import, clear) too', () => {
    const { out, unmount } = mount();
    act(() => out.h.change([{ a: '1' }]));
    act(() => out.set([{}]));
    act(() => out.h.undo());
    expect(out.rows).toEqual([{ a: '1' }]);
    // An undo is not itself a change: a second undo goes further back.
    act(() => out.h.undo());
    expect(out.rows).toEqual([{}]);
    unmount();
  });

  it('a change after undo drops the redo steps', () => {
    const { out, unmount } = mount();
    act(() => out.h.change([{ a: '1' }]));
    act(() => out.h.undo());
    act(() => out.h.change([{ a: '2' }]));
    expect(out.h.canRedo).toBe(false);
    act(() => out.h.redo());
    expect(out.rows).toEqual([{ a: '2' }]);
    unmount();
  });
});
