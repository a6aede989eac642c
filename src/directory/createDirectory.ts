/**
 * Chooses the directory from the settings:
 *   - CHANNELCHECK_DIRECTORY_GRAPH=true → Microsoft Graph with the bot's app credentials, cached for
 *     CHANNELCHECK_DIRECTORY_CACHE_SECONDS; if CHANNELCHECK_DIRECTORY_FILE is set too, Head of Service and
 *     delegates come from that file (its `manager` entries are then ignored: Entra is the source of truth).
 *   - else CHANNELCHECK_DIRECTORY_FILE → the directory file (read and validated now; a bad file stops start-up).
 *   - else an empty directory: nobody has a manager, every alert takes the escalation route; a warning is logged.
 */
import type { Logger } from 'pino';
import { type Config, ConfigError } from '../config';
import type { Directory, EscalationContacts, Person } from '../domain/ports/directory';
import { CachedDirectory } from './cachedDirectory';
import { FileDirectory } from './directoryFile';
import { GraphDirectory, type GraphDirectoryOptions, graphBaseUrlProblem } from './graphDirectory';

/** Nobody has a manager, delegates or a Head of Service. */
export class EmptyDirectory implements Directory {
  async managerOf(_userAadId: string): Promise<Person | null> {
    return null;
  }
  async reportsOf(_managerAadId: string): Promise<Person[]> {
    return [];
  }
  async delegatesOf(_managerAadId: string): Promise<Person[]> {
    return [];
  }
  async escalationContactsFor(_userAadId: string): Promise<EscalationContacts> {
    return { headOfService: null };
  }
}

/** Test seam: extra GraphDirectory options (a CA for a loopback token endpoint, shorter timeouts). */
export type GraphOverrides = Partial<Pick<GraphDirectoryOptions, 'authorityCa' | 'timeoutMs' | 'maxRetries' | 'retryDelaySeconds'>>;

export async function createDirectory(config: Config, log: Logger, graphOverrides: GraphOverrides = {}): Promise<Directory> {
  const settings = config.directory;
  const file = settings.file ? FileDirectory.fromFile(settings.file) : null;

  if (settings.graph) {
    const { appId, appPassword, tenantId } = config.bot;
    const problems: string[] = [];
    if (!appId) problems.push('MicrosoftAppId: required when CHANNELCHECK_DIRECTORY_GRAPH=true');
    if (!appPassword) problems.push('MicrosoftAppPassword: required when CHANNELCHECK_DIRECTORY_GRAPH=true (the app reads Graph with its client secret)');
    if (!tenantId) problems.push('MicrosoftAppTenantId: required when CHANNELCHECK_DIRECTORY_GRAPH=true (the tenant whose users are looked up)');
    const urlProblem = graphBaseUrlProblem(settings.graphBaseUrl);
    if (urlProblem) problems.push(`CHANNELCHECK_GRAPH_BASE_URL: ${urlProblem}`);
    if (!/^https:\/\//i.test(settings.authorityHost)) problems.push('CHANNELCHECK_AUTHORITY_HOST: must use https');
    if (problems.length > 0 || !appId || !appPassword || !tenantId) throw new ConfigError(problems);

    const graph = new GraphDirectory({
      tenantId,
      clientId: appId,
      clientSecret: appPassword,
      authorityHost: settings.authorityHost,
      graphBaseUrl: settings.graphBaseUrl,
      extras: file,
      log,
      ...graphOverrides,
    });
    log.info(
      { directory: 'graph', graphBaseUrl: settings.graphBaseUrl, cacheSeconds: settings.cacheSeconds, extrasFile: settings.file },
      file
        ? 'line managers from Microsoft Graph; Head of Service and delegates from the directory file'
        : 'line managers from Microsoft Graph; no directory file, so no Head of Service or delegates are configured',
    );
    return settings.cacheSeconds > 0 ? new CachedDirectory(graph, { ttlMs: settings.cacheSeconds * 1000 }) : graph;
  }

  if (file) {
    // Held in memory once validated: nothing to cache.
    log.info({ directory: 'file', file: settings.file, people: file.size }, 'line managers from the directory file');
    return file;
  }

  log.warn(
    { directory: 'none' },
    'no directory configured (set CHANNELCHECK_DIRECTORY_FILE or CHANNELCHECK_DIRECTORY_GRAPH=true): line managers cannot be found, so practitioners are shown the escalation contacts and alerts go to the escalation channel',
  );
  return new EmptyDirectory();
}
