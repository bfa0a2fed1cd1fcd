import {
  AUTO_COLUMN_WIDTH,
  gridMinWidth,
  gridTemplate,
  MIN_COLUMN_WIDTH,
  resizedWidth,
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
});
