/** Headers every response carries, errors and 404s included. The server sends no `Server` banner. */
import type { ServerResponse } from 'node:http';

export function securityHeaders(production: boolean): Record<string, string> {
  return {
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    ...(production ? { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

export function setSecurityHeaders(res: ServerResponse, production: boolean): void {
  for (const [name, value] of Object.entries(securityHeaders(production))) res.setHeader(name, value);
}
