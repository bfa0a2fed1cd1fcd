import type { TranslationBundle } from '@jupyterlab/translation';
import { confirmChoice, fillChoice, fillQuestion, isDestructive } from '../model/confirm';

const trans = {
  __: (s: string, ...a: unknown[]) => s.replace(/%(\d+)/g, (_, i) => String(a[Number(i) - 1])),
} as unknown as TranslationBundle;

describe('dialog buttons', () => {
  it('makes the safe button the default of the delete-cell question', () => {
    const spec = confirmChoice('cancel', 'Keep running', 'Cancel jobs');
    expect(spec.buttons[spec.defaultButton]).toEqual({
      label: 'Keep running',
      style: 'cancel',
      value: '',
    });
    expect(spec.buttons.find(b => b.label === 'Cancel jobs')?.style).toBe('warn');
  });

  it('does not style Retry as danger', () => {
    const spec = confirmChoice('retry', 'Back', 'Retry');
    expect(spec.buttons.map(b => b.style)).not.toContain('warn');
    expect(spec.buttons[spec.defaultButton].label).toBe('Retry');
    expect(isDestructive('retry')).toBe(false);
    expect(isDestructive('cancel')).toBe(true);
    expect(isDestructive('delete')).toBe(true);
  });

  it('asks to replace or add rows, adding by default and never as danger', () => {
    const spec = fillChoice(trans);
    expect(spec.buttons.map(b => b.value)).toEqual(['', 'replace', 'add']);
    expect(spec.buttons[spec.defaultButton].value).toBe('add');
    expect(spec.buttons.map(b => b.style)).not.toContain('warn');
  });

  it('says how many rows have values and how many the files give', () => {
    const q = fillQuestion([{ a: '1' }, {}, { a: '' }, { b: '2' }], [{ a: 'x' }], trans);
    expect(q.title).toBe('Replace the rows or add to them?');
    expect(q.body).toBe(
      'The grid already has rows with values (2). Replace them with the rows from the files (1), or add those after them?'
    );
  });
});
