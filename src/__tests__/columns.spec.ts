import {
  AUTO_COLUMN_WIDTH,
  autoWidth,
  gridMinWidth,
  gridTemplate,
  gridTracks,
  MIN_COLUMN_WIDTH,
  RESIZE_STEP,
  resizedWidth,
  resizeKeyStep,
  withWidth,
} from '../model/columns';

describe('grid column widths', () => {
  it('a dragged edge sets the width, never under the minimum', () => {
    expect(resizedWidth(150, 30)).toBe(180);
    expect(resizedWidth(150, -40.4)).toBe(110);
    expect(resizedWidth(150, -200)).toBe(MIN_COLUMN_WIDTH);
    expect(MIN_COLUMN_WIDTH).toBe(60);
    expect(resizedWidth(NaN, 10)).toBe(MIN_COLUMN_WIDTH);
  });

  it('resized columns keep their width; the others share the room', () => {
    const tracks = { lead: [28, 48], trail: [64] };
    expect(gridTemplate(['a', 'b'], { b: 200 }, tracks)).toBe(
      `28px 48px minmax(${AUTO_COLUMN_WIDTH}px, 1fr) 200px 64px`
    );
    expect(gridTemplate([], {}, { lead: [48], trail: [] })).toBe(
      `48px minmax(${AUTO_COLUMN_WIDTH}px, 1fr)`
    );
    expect(gridMinWidth(['a', 'b'], { b: 200 }, tracks)).toBe(28 + 48 + 120 + 200 + 64);
    expect(gridMinWidth([], {}, { lead: [48], trail: [] })).toBe(48 + 120);
  });

  it('arrow keys on a column edge resize by a step; a reset drops the width', () => {
    expect(resizeKeyStep('ArrowLeft')).toBe(-RESIZE_STEP);
    expect(resizeKeyStep('ArrowRight')).toBe(RESIZE_STEP);
    expect(resizeKeyStep('ArrowUp')).toBeNull();
    const w = { a: 100 };
    expect(withWidth(w, 'b', 80)).toEqual({ a: 100, b: 80 });
    expect(autoWidth({ a: 100, b: 80 }, 'a')).toEqual({ b: 80 });
    expect(autoWidth(w, 'z')).toEqual(w);
    expect(w).toEqual({ a: 100 });
  });

  it('has checkbox, row number and actions tracks unless read-only', () => {
    expect(gridTracks(false)).toEqual({ lead: [28, 48], trail: [64] });
    expect(gridTracks(true)).toEqual({ lead: [48], trail: [] });
  });
});
