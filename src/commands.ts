/** The ids of Bulkrun's JupyterLab commands. */
export const CommandIDs = {
  insert: 'bulkrun:insert-cell',
  openBatch: 'bulkrun:open-batch',
  attachCell: 'bulkrun:attach-cell',
  newNotebook: 'bulkrun:new-notebook',
  openPanel: 'bulkrun:open-jobs',
};
