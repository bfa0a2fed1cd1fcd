/**
 * For specs: the identity bundle JupyterLab uses without a language pack (%1…
 * substitution), so strings read as the English the UI shows.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

const fill = (s: string, args: unknown[]) =>
  s.replace(/%(\d+)/g, (_, i) => String(args[Number(i) - 1]));

export const trans = {
  __: (s: string, ...a: unknown[]) => fill(s, a),
  _n: (one: string, many: string, n: number, ...a: unknown[]) =>
    fill(n === 1 ? one : many, [n, ...a]),
} as unknown as TranslationBundle;
