import type { TranslationBundle } from '@jupyterlab/translation';
import { confirmChoice, fillChoice, isDestructive } from '../model/confirm';

const trans = { __: (s: string) => s } as unknown as TranslationBundle;

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
});
