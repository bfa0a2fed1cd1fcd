/**
 * "Edit and rerun" of a failed row (docs/SEMANTICS.md): its params as text fields, and
 * the edited text typed back like the value it replaces (numbers stay numbers, lists and
 * objects are JSON).
 */
export function paramTexts(params: Record<string, unknown>): { name: string; text: string }[] {
  return Object.entries(params).map(([name, v]) => ({
    name,
    text: typeof v === 'string' ? v : JSON.stringify(v),
  }));
}

/** The edited text as a value of the original's type; an error when it is not one. */
export function typedLike(original: unknown, text: string): { value?: unknown; error?: string } {
  if (typeof original === 'string') {
    return { value: text };
  }
  if (typeof original === 'number') {
    const n = Number(text.trim());
    return text.trim() !== '' && Number.isFinite(n) ? { value: n } : { error: 'must be a number' };
  }
  if (typeof original === 'boolean') {
    const t = text.trim().toLowerCase();
    return t === 'true' || t === 'false'
      ? { value: t === 'true' }
      : { error: 'must be true or false' };
  }
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { error: 'must be JSON' };
  }
}

/** The edited params, or the fields whose text does not fit. */
export function editedParams(
  original: Record<string, unknown>,
  texts: Record<string, string>
): { params: Record<string, unknown>; errors: Record<string, string> } {
  const params: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const [name, v] of Object.entries(original)) {
    const t = typedLike(v, texts[name] ?? '');
    if (t.error) {
      errors[name] = t.error;
    } else {
      params[name] = t.value;
    }
  }
  return { params, errors };
}
