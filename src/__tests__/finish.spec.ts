import { FinishWatcher, finishMessage } from '../model/finish';

const trans = {
  __: (s: string, ...a: unknown[]) => s.replace(/%(\d)/g, (_, i) => String(a[Number(i) - 1])),
};
const counts = { created: 0, queued: 0, running: 0, completed: 98, error: 2, terminated: 0 };

test('a batch seen running that ends is reported once; one already over is not', () => {
  const w = new FinishWatcher();
  expect(w.ended('old', 'completed')).toBe(false);
  expect(w.ended('b', 'running')).toBe(false);
  expect(w.ended('b', 'running')).toBe(false);
  expect(w.ended('b', 'error')).toBe(true);
  expect(w.ended('b', 'error')).toBe(false);
  // Retried rows make it run again; its next end is reported again.
  expect(w.ended('b', 'running')).toBe(false);
  expect(w.ended('b', 'completed')).toBe(true);
});

test('the message names the batch and its counts', () => {
  expect(finishMessage('assembly', 'error', counts, trans)).toBe(
    "Bulk run 'assembly' finished: 98 completed, 2 failed"
  );
  expect(
    finishMessage('x', 'terminated', { ...counts, completed: 3, error: 0, terminated: 7 }, trans)
  ).toBe("Bulk run 'x' was cancelled: 3 completed, 7 cancelled");
});
