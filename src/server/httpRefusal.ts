/**
 * A request the server refuses on purpose, with the status and the short public reason to send back. Anything
 * else that goes wrong becomes a generic 500: an error's own text never reaches a response body.
 */
export class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    /** Safe to show the caller: says what was wrong with the request, never what failed inside. */
    readonly publicMessage: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(publicMessage);
    this.name = 'HttpRefusal';
  }
}
