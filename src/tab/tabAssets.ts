/**
 * The tab's page and its assets, as built by scripts/buildTab.mjs into dist/tab/web (one HTML page, its script
 * and the chunk it loads for cards, one stylesheet). Only file names in that folder are served, never a path. The page may be framed only by
 * the Teams and Microsoft 365 clients, and loads nothing from anywhere but this server.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROJECT_ROOT } from '../paths';

export const TAB_ASSETS_DIR = path.join(PROJECT_ROOT, 'dist', 'tab', 'web');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** Where Teams, Outlook and the Microsoft 365 app host tabs (Microsoft's list for a tab's frame-ancestors). */
const TEAMS_HOSTS = [
  'https://teams.microsoft.com',
  'https://*.teams.microsoft.com',
  'https://teams.cloud.microsoft',
  'https://*.cloud.microsoft',
  'https://*.office.com',
  'https://outlook.office.com',
  'https://*.microsoft365.com',
  'https://*.skype.com',
];

/**
 * The page's Content-Security-Policy. Styles allow 'unsafe-inline' because the Adaptive Cards renderer sets
 * inline styles on the elements it makes; scripts are only the bundle from this server.
 */
export const TAB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  `frame-ancestors 'self' ${TEAMS_HOSTS.join(' ')}`,
].join('; ');

/** Serves `name` from `dir` when it is a plain file name there; false when there is no such asset. */
export function serveTabAsset(dir: string, name: string, req: IncomingMessage, res: ServerResponse): boolean {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) return false;
  const type = TYPES[path.extname(name)];
  const file = path.join(dir, name);
  if (!type || !fs.statSync(file, { throwIfNoEntry: false })?.isFile()) return false;
  const body = fs.readFileSync(file);
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': String(body.length), 'Content-Security-Policy': TAB_CSP });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
