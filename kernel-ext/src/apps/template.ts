/**
 * argv templating. Each command element is rendered on its own: placeholders are replaced
 * inside that element only, so a value can never split into two arguments or reach a shell.
 *
 * Syntax: `{name}` is a placeholder (name: letter or `_`, then letters, digits, `_`, `-`, `.`);
 * `{{` and `}}` are literal braces; any other brace is literal too, so inline scripts such as
 * `JSON.stringify({a:1})` need no escaping unless they contain `}}` or a `{word}`.
 */

export type Piece = { text: string } | { param: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Splits one command element into literal text and placeholders. */
export function parseElement(element: string): Piece[] {
  const pieces: Piece[] = [];
  let text = '';
  let i = 0;
  while (i < element.length) {
    const c = element[i];
    if ((c === '{' || c === '}') && element[i + 1] === c) {
      text += c;
      i += 2;
      continue;
    }
    if (c === '{') {
      const close = element.indexOf('}', i + 1);
      const name = close > i ? element.slice(i + 1, close) : '';
      if (close > i && NAME.test(name)) {
        if (text) pieces.push({ text });
        text = '';
        pieces.push({ param: name });
        i = close + 1;
        continue;
      }
    }
    text += c;
    i += 1;
  }
  if (text) pieces.push({ text });
  return pieces;
}

// Parsed once per command array: the dispatcher renders thousands of rows of one app.
const parsed = new WeakMap<string[], Piece[][]>();

function parsedCommand(command: string[]): Piece[][] {
  let p = parsed.get(command);
  if (!p || p.length !== command.length) {
    p = command.map(parseElement);
    parsed.set(command, p);
  }
  return p;
}

/** The parameter names a command refers to, in order of first use. */
export function placeholders(command: string[]): string[] {
  const names: string[] = [];
  for (const el of command) {
    for (const p of parseElement(el)) {
      if ('param' in p && !names.includes(p.param)) names.push(p.param);
    }
  }
  return names;
}

/** Escapes text so it renders literally when placed in a command element. */
export function escapeBraces(text: string): string {
  return text.replace(/\{/g, '{{').replace(/\}/g, '}}');
}

function scalar(name: string, v: unknown): string {
  let s: string;
  if (typeof v === 'string') s = v;
  else if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`Parameter '${name}' is not a finite number`);
    s = String(v);
  } else if (typeof v === 'boolean' || typeof v === 'bigint') s = String(v);
  else s = JSON.stringify(v);
  if (s.includes('\0')) throw new Error(`Parameter '${name}' contains a NUL byte`);
  return s;
}

/**
 * Renders a command template:
 * - a whole-element placeholder `{files}` holding an array becomes one element per item;
 * - an element whose placeholder has no value (undefined or null) is dropped, so optional
 *   flags such as `--label={label}` disappear when the parameter is not set;
 * - arrays inside a longer element are joined with commas; objects become JSON;
 * - numbers and booleans are stringified; strings pass byte for byte.
 */
export function renderCommand(command: string[], params: Record<string, unknown>): string[] {
  const argv: string[] = [];
  for (const pieces of parsedCommand(command)) {
    if (pieces.length === 1 && 'param' in pieces[0]) {
      const name = pieces[0].param;
      const v = params[name];
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) {
        for (const item of v) argv.push(scalar(name, item));
      } else argv.push(scalar(name, v));
      continue;
    }
    let out = '';
    let dropped = false;
    for (const p of pieces) {
      if ('text' in p) {
        out += p.text;
        continue;
      }
      const v = params[p.param];
      if (v === undefined || v === null) {
        dropped = true;
        break;
      }
      out += Array.isArray(v) ? v.map(x => scalar(p.param, x)).join(',') : scalar(p.param, v);
    }
    if (!dropped) argv.push(out);
  }
  return argv;
}
