/**
 * A link to a job's work dir: under the Jupyter root it opens the folder in JupyterLab's
 * file browser; elsewhere (or where the file browser cannot list it) it shows the absolute
 * path with a copy button. src/model/workdir.ts decides which.
 */
import { PageConfig } from '@jupyterlab/coreutils';
import { copyIcon, folderIcon } from '@jupyterlab/ui-components';
import * as React from 'react';
import { workDirTarget } from '../model/workdir';
import { copyText } from './clipboard';
import { useView, type IViewContext } from './context';

/** What the link needs of JupyterLab's command registry. */
export interface ICommandRunner {
  execute(id: string, args?: any): Promise<unknown>;
  hasCommand(id: string): boolean;
}

/** The command registry when the view context offers one (`commands`), else null. */
export function commandsOf(ctx: IViewContext): ICommandRunner | null {
  const c = (ctx as IViewContext & { commands?: Partial<ICommandRunner> }).commands;
  return c && typeof c.execute === 'function' && typeof c.hasCommand === 'function'
    ? (c as ICommandRunner)
    : null;
}

export const GO_TO_PATH = 'filebrowser:go-to-path';

export function WorkDirLink(props: { workDir: string; label: string }): JSX.Element | null {
  const ctx = useView();
  const { trans } = ctx;
  const [copied, setCopied] = React.useState(false);
  const target = React.useMemo(
    () => workDirTarget(props.workDir, PageConfig.getOption('serverRoot')),
    [props.workDir]
  );
  if (!target) {
    return null;
  }
  if (target.kind === 'browser') {
    const commands = commandsOf(ctx);
    const shown = target.path || '/';
    if (commands?.hasCommand(GO_TO_PATH)) {
      return (
        <button
          className="jp-Bulkrun-linkbutton jp-Bulkrun-workdir"
          tabIndex={-1}
          title={trans.__('Show %1 in the file browser', target.absolute)}
          aria-label={trans.__('Open the work dir of %1 in the file browser', props.label)}
          onClick={() => void commands.execute(GO_TO_PATH, { path: target.path })}
        >
          <folderIcon.react tag="span" elementSize="small" />
          <span className="jp-Bulkrun-ellipsis">{shown}</span>
        </button>
      );
    }
    // Without the command registry: JupyterLab opens a tree URL in its file browser.
    return (
      <a
        className="jp-Bulkrun-workdir"
        href={PageConfig.getUrl({ treePath: target.path })}
        target="_blank"
        rel="noopener noreferrer"
        tabIndex={-1}
        title={trans.__('Show %1 in the file browser (new tab)', target.absolute)}
        aria-label={trans.__('Open the work dir of %1 in the file browser', props.label)}
      >
        <folderIcon.react tag="span" elementSize="small" />
        <span className="jp-Bulkrun-ellipsis">{shown}</span>
      </a>
    );
  }
  const why =
    target.reason === 'hidden'
      ? trans.__('In a hidden folder, which the file browser does not show.')
      : target.reason === 'outside'
        ? trans.__('Outside the Jupyter root.')
        : '';
  return (
    <span className="jp-Bulkrun-workdir jp-mod-absolute">
      <code
        className="jp-Bulkrun-ellipsis"
        title={why ? `${target.absolute}\n${why}` : target.absolute}
      >
        {target.absolute}
      </code>
      <button
        className="jp-Bulkrun-iconbutton"
        tabIndex={-1}
        title={copied ? trans.__('Copied') : trans.__('Copy the path')}
        aria-label={trans.__('Copy the work dir path of %1', props.label)}
        onClick={() => {
          void copyText(target.absolute).then(() => {
            setCopied(true);
            setTimeout(() => setCopied(false), 1500);
          });
        }}
      >
        <copyIcon.react tag="span" elementSize="small" />
      </button>
    </span>
  );
}
