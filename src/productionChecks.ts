/**
 * What production refuses, because it would hurt real people: invented people as line managers, nobody as
 * line managers, ids that cannot be an Entra app or tenant, and a one-process store behind several replicas.
 * Works on the raw environment so the refusals are listed together with every other wrong setting.
 */
import path from 'node:path';
import { PROJECT_ROOT } from './paths';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const EXAMPLE_DIRECTORY_FILE = path.join(PROJECT_ROOT, 'env', 'directory.example.yaml');

const text = (v: string | undefined): string => v?.trim() ?? '';

/** The production-only problems with these settings (none outside production). */
export function productionProblems(env: NodeJS.ProcessEnv): string[] {
  if (text(env.NODE_ENV) !== 'production') return [];
  const problems: string[] = [];
  const appId = text(env.MicrosoftAppId);
  if (appId && !GUID.test(appId)) problems.push(`MicrosoftAppId: "${appId}" is not a GUID (the Application (client) ID of the Entra app registration)`);
  const tenantId = text(env.MicrosoftAppTenantId);
  if (tenantId && !GUID.test(tenantId)) problems.push(`MicrosoftAppTenantId: "${tenantId}" is not a GUID (the Directory (tenant) ID)`);
  const tabClientId = text(env.CHANNELCHECK_TAB_CLIENT_ID);
  if (tabClientId && !GUID.test(tabClientId)) problems.push(`CHANNELCHECK_TAB_CLIENT_ID: "${tabClientId}" is not a GUID (the Application (client) ID of the tab's Entra app)`);
  if (text(env.CHANNELCHECK_TAB_DEV_SIGNIN) === 'true') {
    problems.push('CHANNELCHECK_TAB_DEV_SIGNIN: the local development sign-in lets anyone act as anyone in the directory file; it is refused in production (people sign in to the tab with Teams SSO)');
  }
  for (const pair of text(env.CHANNELCHECK_TENANT_COUNCILS).split(',')) {
    const tenant = pair.split('=')[0]?.trim();
    if (tenant && !GUID.test(tenant)) problems.push(`CHANNELCHECK_TENANT_COUNCILS: tenant "${tenant}" is not a GUID (a Directory (tenant) ID)`);
  }

  const file = text(env.CHANNELCHECK_DIRECTORY_FILE);
  const graph = text(env.CHANNELCHECK_DIRECTORY_GRAPH) === 'true';
  if (file && (path.resolve(file) === EXAMPLE_DIRECTORY_FILE || path.basename(file) === path.basename(EXAMPLE_DIRECTORY_FILE))) {
    problems.push(`CHANNELCHECK_DIRECTORY_FILE: "${file}" is the example of invented people; point it at your council's directory file, or unset it and use CHANNELCHECK_DIRECTORY_GRAPH=true`);
  } else if (!file && !graph) {
    problems.push('CHANNELCHECK_DIRECTORY_GRAPH: production needs to know line managers: set CHANNELCHECK_DIRECTORY_GRAPH=true (Microsoft Graph) or CHANNELCHECK_DIRECTORY_FILE (your council\'s directory file)');
  }

  if (!text(env.DATABASE_URL) && text(env.CHANNELCHECK_ALLOW_SQLITE_IN_PRODUCTION) !== 'true') {
    problems.push('DATABASE_URL: required in production (SQLite serves one process on one machine; set CHANNELCHECK_ALLOW_SQLITE_IN_PRODUCTION=true to run a single instance on SQLite on purpose)');
  }
  return problems;
}

/** The loud start-up warning (and /readyz note) when nobody would receive an alert no manager can take. */
export function escalationChannelWarning(channelConversationId: string | null): string | null {
  return channelConversationId
    ? null
    : 'no escalation channel is configured (CHANNELCHECK_ESCALATION_CHANNEL): an alert nobody acknowledges, or one that cannot reach the manager, has no channel to go to; it is re-sent to the current level and the practitioner is told to phone, and an alert for a practitioner with no line manager or Head of Service on record reaches nobody in Teams';
}
