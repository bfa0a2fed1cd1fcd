/** Lists Jupyter paths matching a glob through the contents API. */
import type { Contents } from '@jupyterlab/services';
import { globBase, globToRegExp } from '../model/pairing';

/** Walks from the glob's fixed directory; stops after `limit` matches or 20,000 entries. */
export async function globContents(
  contents: Contents.IManager,
  glob: string,
  limit = 20000
): Promise<string[]> {
  const pattern = glob.replace(/^\/+/, '');
  const re = globToRegExp(pattern);
  const deep = pattern.includes('**');
  const depth = pattern.split('/').length;
  const out: string[] = [];
  let visited = 0;
  const walk = async (dir: string, level: number): Promise<void> => {
    if (out.length >= limit || visited > 20000) {
      return;
    }
    let model: Contents.IModel;
    try {
      model = await contents.get(dir, { content: true });
    } catch {
      return;
    }
    const items = (model.content ?? []) as Contents.IModel[];
    for (const item of items) {
      visited++;
      if (item.type === 'directory') {
        if (!item.name.startsWith('.') && (deep || level + 1 < depth)) {
          await walk(item.path, level + 1);
        }
      } else if (re.test(item.path)) {
        out.push(item.path);
      }
    }
  };
  const base = globBase(pattern);
  await walk(base, base ? base.split('/').length : 0);
  return out.sort();
}
