/** src/engine/chunks.ts: chunk sizes that follow what a chunk costs. */
import { ChunkSizer, yieldLoop } from '../src/engine/chunks';

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

test('chunked work takes turns: one chunk per turn of the event loop, whoever asks', async () => {
  const busy = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end);
  };
  // Three big operations at once, each a chunk of 5 ms per turn; a timer counts the chunks
  // that ran between two of its checks.
  let since = 0;
  const perTick: number[] = [];
  let running = true;
  const tick = () => {
    perTick.push(since);
    since = 0;
    if (running) setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  const work = async () => {
    for (let i = 0; i < 10; i++) {
      await yieldLoop();
      busy(5);
      since++;
    }
  };
  await Promise.all([work(), work(), work()]);
  running = false;
  // Every chunk ran, never two between two timer checks.
  expect(perTick.reduce((a, b) => a + b, 0) + since).toBe(30);
  expect(Math.max(...perTick, since)).toBe(1);
});
