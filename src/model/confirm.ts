/**
 * The buttons of Bulkrun's dialogs, independent of JupyterLab's Dialog: the safe
 * choice comes first, and only actions that stop or remove something (cancel,
 * delete) are styled as danger. src/components/confirm.ts shows them.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { rowHasValues, type Row } from './rows';

export type ButtonStyle = 'cancel' | 'accept' | 'warn';

export interface ButtonSpec {
  label: string;
  style: ButtonStyle;
  /** What the caller gets back when this button is chosen. */
  value: string;
}

export interface ChoiceSpec {
  buttons: ButtonSpec[];
  /** Index of the button that has the focus and answers Enter. */
  defaultButton: number;
}

export type ActionKind = 'cancel' | 'delete' | 'retry';

/** Actions that stop or remove something; the only ones styled as danger. */
export function isDestructive(kind: ActionKind): boolean {
  return kind === 'cancel' || kind === 'delete';
}

/**
 * A yes/no confirmation: `safeLabel` declines, `actionLabel` confirms. A destructive
 * action is warn-styled and never the default; any other is a plain accept button.
 */
export function confirmChoice(
  kind: ActionKind,
  safeLabel: string,
  actionLabel: string
): ChoiceSpec {
  const destructive = isDestructive(kind);
  return {
    buttons: [
      { label: safeLabel, style: 'cancel', value: '' },
      { label: actionLabel, style: destructive ? 'warn' : 'accept', value: kind },
    ],
    defaultButton: destructive ? 0 : 1,
  };
}

/** Fill from files into a grid that has values: add after them (the default) or replace them. */
export function fillChoice(trans: TranslationBundle): ChoiceSpec {
  return {
    buttons: [
      { label: trans.__('Cancel'), style: 'cancel', value: '' },
      { label: trans.__('Replace rows'), style: 'accept', value: 'replace' },
      { label: trans.__('Add rows'), style: 'accept', value: 'add' },
    ],
    defaultButton: 2,
  };
}

/** The question `fillChoice` answers: how many rows have values, how many the files give. */
export function fillQuestion(
  current: readonly Row[],
  incoming: readonly Row[],
  trans: TranslationBundle
): { title: string; body: string } {
  return {
    title: trans.__('Replace the rows or add to them?'),
    body: trans.__(
      'The grid already has rows with values (%1). Replace them with the rows from the files (%2), or add those after them?',
      current.filter(rowHasValues).length,
      incoming.length
    ),
  };
}
