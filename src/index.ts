import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';

/** Placeholder activation; the bulk-run cell and jobs panel plugins replace it. */
const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-bulkrun:plugin',
  description: 'Bulk-run cell and jobs panel',
  autoStart: true,
  activate: (_app: JupyterFrontEnd) => {
    console.log('JupyterLab extension jupyterlab-bulkrun is activated!');
  },
};

export default plugin;
