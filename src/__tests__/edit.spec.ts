import { editedParams, paramTexts, typedLike } from '../model/edit';

test('params become text fields and come back with their types', () => {
  const original = { input: '/n/a.txt', n: 3, fast: true, more: ['x', 'y'] };
  expect(paramTexts(original)).toEqual([
    { name: 'input', text: '/n/a.txt' },
    { name: 'n', text: '3' },
    { name: 'fast', text: 'true' },
    { name: 'more', text: '["x","y"]' },
  ]);
  expect(
    editedParams(original, { input: 'texts/b.txt', n: ' 4 ', fast: 'False', more: '["z"]' })
  ).toEqual({ params: { input: 'texts/b.txt', n: 4, fast: false, more: ['z'] }, errors: {} });
});

test('text that does not fit the original type is an error on its field', () => {
  expect(typedLike(1, 'one')).toEqual({ error: 'must be a number' });
  expect(typedLike(1, '')).toEqual({ error: 'must be a number' });
  expect(typedLike(true, 'yes')).toEqual({ error: 'must be true or false' });
  expect(typedLike([1], '[1,')).toEqual({ error: 'must be JSON' });
  expect(editedParams({ n: 1 }, { n: 'x' }).errors).toEqual({ n: 'must be a number' });
});
