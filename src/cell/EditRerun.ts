/**
 * The "edit" action of a failed row: a dialog with the row's params as text fields;
 * "Rerun" sends them (POST /jobs/{id}/rerun) and the row's next attempt runs with them.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { editedParams, paramTexts } from '../model/edit';

class EditBody extends Widget implements Dialog.IBodyWidget<Record<string, string>> {
  constructor(params: Record<string, unknown>, note: string) {
    super();
    this.addClass('jp-Bulkrun-editrerun');
    const p = document.createElement('p');
    p.className = 'jp-Bulkrun-muted';
    p.textContent = note;
    this.node.appendChild(p);
    for (const { name, text } of paramTexts(params)) {
      const label = document.createElement('label');
      label.className = 'jp-Bulkrun-field';
      const span = document.createElement('span');
      span.textContent = name;
      const input = document.createElement('input');
      input.className = 'jp-Bulkrun-input';
      input.value = text;
      input.setAttribute('aria-label', name);
      label.append(span, input);
      this.node.appendChild(label);
      this.inputs.set(name, input);
    }
  }

  getValue(): Record<string, string> {
    return Object.fromEntries([...this.inputs].map(([k, i]) => [k, i.value]));
  }

  private inputs = new Map<string, HTMLInputElement>();
}

/** Asks for the edited params; null when the user cancels. Re-asks while a field is wrong. */
export async function askEditedParams(
  rowNumber: number,
  params: Record<string, unknown>,
  trans: TranslationBundle
): Promise<Record<string, unknown> | null> {
  let note = trans.__(
    'The row runs again with these parameters, as its next attempt (a retry would copy them). Relative paths are read from the notebook’s folder.'
  );
  let current: Record<string, unknown> = params;
  for (;;) {
    const r = await showDialog({
      title: trans.__('Edit row %1 and rerun', rowNumber),
      body: new EditBody(current, note),
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: trans.__('Rerun') })],
    });
    if (!r.button.accept || !r.value) {
      return null;
    }
    const out = editedParams(params, r.value);
    const wrong = Object.entries(out.errors);
    if (!wrong.length) {
      return out.params;
    }
    note = wrong.map(([k, m]) => `${k} ${m}`).join('; ');
    current = { ...params, ...Object.fromEntries(Object.entries(r.value)) };
  }
}
