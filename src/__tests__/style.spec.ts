import { readFileSync } from 'fs';
import { join } from 'path';

const css = readFileSync(join(__dirname, '..', '..', 'style', 'base.css'), 'utf8');

/** The declarations of the rule whose selector is exactly `selector`. */
function rule(selector: string): string {
  const m = new RegExp(`(^|\\n)${selector.replace(/[.]/g, '\\.')}\\s*\\{([^}]*)\\}`).exec(css);
  if (!m) {
    throw new Error(`no rule ${selector}`);
  }
  return m[2];
}

describe('jobs panel style', () => {
  it('wraps app names instead of cutting them with an ellipsis', () => {
    const r = rule('.jp-Bulkrun-jobname');
    expect(r).not.toMatch(/text-overflow\s*:\s*ellipsis/);
    expect(r).not.toMatch(/white-space\s*:\s*nowrap/);
    expect(r).toMatch(/overflow-wrap\s*:\s*anywhere/);
    // Colours come from JupyterLab's theme variables only.
    expect(r).not.toMatch(/#[0-9a-f]{3,8}\b|rgb|hsl/i);
  });
});
