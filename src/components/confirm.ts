/** Shows a src/model/confirm.ts choice as a JupyterLab dialog. */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { ChoiceSpec } from '../model/confirm';

export function dialogButtons(spec: ChoiceSpec): Dialog.IButton[] {
  return spec.buttons.map(b =>
    b.style === 'cancel'
      ? Dialog.cancelButton({ label: b.label })
      : b.style === 'warn'
        ? Dialog.warnButton({ label: b.label })
        : Dialog.okButton({ label: b.label })
  );
}

/** Resolves with the chosen button's value, or null when declined or dismissed. */
export async function choose(
  title: string,
  body: string,
  spec: ChoiceSpec
): Promise<string | null> {
  const r = await showDialog({
    title,
    body,
    buttons: dialogButtons(spec),
    defaultButton: spec.defaultButton,
  });
  if (!r.button.accept) {
    return null;
  }
  return spec.buttons.find(b => b.style !== 'cancel' && b.label === r.button.label)?.value ?? null;
}
