/**
 * Under the app picker: the app files the server could not load, each with every problem,
 * so an app that is missing from the list says why (GET apps, kernel-ext/src/apps/registry.ts).
 */
import * as React from 'react';
import { appProblemsSummary } from '../model/apppicker';
import { useView } from './context';
import { useAppProblems } from './useServer';

export function AppProblems(): JSX.Element | null {
  const { bulkrun, trans } = useView();
  const problems = useAppProblems(bulkrun.client).data;
  const summary = appProblemsSummary(problems, trans);
  if (!problems || !summary) {
    return null;
  }
  return (
    <details className="jp-Bulkrun-appproblems">
      <summary>{summary}</summary>
      <ul className="jp-Bulkrun-appproblems-files">
        {problems.map(p => (
          <li key={p.file}>
            <code>{p.file}</code>
            <ul>
              {p.problems.map((problem, i) => (
                <li key={i}>{problem}</li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
      <div className="jp-Bulkrun-muted">
        {trans.__('The server reads app files when it starts.')}
      </div>
    </details>
  );
}
