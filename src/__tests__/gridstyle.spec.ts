import { readFileSync } from 'fs';
import { join } from 'path';

const css = readFileSync(join(__dirname, '..', '..', 'style', 'base.css'), 'utf8');

/** The declarations of the rule whose selector list is exactly `selector`. */
function rule(selector: string): string {
  const esc = selector.replace(/[.[\]()>:]/g, m => `\\${m}`);
  const m = new RegExp(`(^|\\n)${esc}\\s*\\{([^}]*)\\}`).exec(css);
  if (!m) {
    throw new Error(`no rule ${selector}`);
  }
  return m[2];
}

describe('grid editing style', () => {
  const rules = [
    '.jp-Bulkrun-grid-headwrap',
    '.jp-Bulkrun-grid-row.jp-mod-selected',
    '.jp-Bulkrun-colresize',
    '.jp-Bulkrun-grid-cell.jp-mod-path',
    '.jp-Bulkrun-filelist',
    '.jp-Bulkrun-fileitem.jp-mod-selected',
  ];

  it.each(rules)('%s uses theme variables for its colours', selector => {
    const r = rule(selector);
    expect(r).not.toMatch(/#[0-9a-f]{3,8}\b|rgb|hsl|\b(white|black)\b/i);
  });

  it('the column resize handle sits on the header edge with a resize cursor', () => {
    expect(rule('.jp-Bulkrun-grid-colhead')).toMatch(/position:\s*relative/);
    const r = rule('.jp-Bulkrun-colresize');
    expect(r).toMatch(/cursor:\s*col-resize/);
    expect(r).toMatch(/right:\s*0/);
  });

  it('selected rows and files are marked with theme colours', () => {
    expect(rule('.jp-Bulkrun-grid-row.jp-mod-selected')).toMatch(/background:\s*var\(--jp-/);
    expect(rule('.jp-Bulkrun-fileitem.jp-mod-selected')).toMatch(/var\(--jp-brand-color1\)/);
  });
});
