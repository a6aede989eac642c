/**
 * An error the user can act on: shown as an error card with a title, what to do, and Try again / Start
 * again. Anything else that goes wrong is logged with a reference and shown as a generic error card that
 * still says what to do, never "Something went wrong" alone.
 */
export class UserFacingError extends Error {
  constructor(
    readonly code: string,
    readonly title: string,
    readonly advice: string,
    /** HTTP-style status for the invoke response: 4xx for the user's input, 5xx for ours. */
    readonly status: number = 200,
  ) {
    super(`${code}: ${title}`);
    this.name = 'UserFacingError';
  }
}
