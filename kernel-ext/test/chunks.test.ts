/** src/engine/chunks.ts: chunk sizes that follow what a chunk costs. */
import { ChunkSizer } from '../src/engine/chunks';

test('chunks shrink when rows cost more, grow when they cost less, within bounds', () => {
  const s = new ChunkSizer(500, 20, 2000, 40);
  // 500 rows took 200 ms (50 clients): 0.4 ms a row, so 100 rows fill 40 ms.
  s.took(500, 200);
  expect(s.next).toBe(300);
  for (let i = 0; i < 10; i++) s.took(s.next, s.next * 0.4);
  expect(s.next).toBeGreaterThanOrEqual(100);
  expect(s.next).toBeLessThan(102);
  // Cheap rows again: it grows back, never past the bound.
  for (let i = 0; i < 20; i++) s.took(s.next, s.next * 0.001);
  expect(s.next).toBe(2000);
  // Very costly rows: never below the floor, so the work still moves.
  for (let i = 0; i < 20; i++) s.took(s.next, s.next * 50);
  expect(s.next).toBe(20);
  // An empty chunk says nothing.
  s.took(0, 100);
  expect(s.next).toBe(20);
});

test('the first size is clamped to the bounds', () => {
  expect(new ChunkSizer(5, 20, 2000).next).toBe(20);
  expect(new ChunkSizer(1e6, 20, 2000).next).toBe(2000);
});
