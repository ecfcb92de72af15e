import { project } from './cluster.ts';

/**
 * The one function that builds an alert's `runbook_url`: runbooks live at `runbooks/<component>/<AlertName>.md`,
 * so a test can hold that every alert has a runbook and every runbook an alert.
 */
export const runbookPath = (component: string, alertName: string): string => `runbooks/${component}/${alertName}.md`;

export const runbookUrl = (component: string, alertName: string): string =>
  `${project.repositoryUrl}/blob/main/${runbookPath(component, alertName)}`;
