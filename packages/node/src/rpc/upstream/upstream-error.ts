import { VeilnodeError } from '@veilnode/plugin-api';

/** Why the upstream daemon did not answer: each maps to one log line and one client error. */
export type UpstreamFailure = 'connect' | 'connect-timeout' | 'idle-timeout' | 'login-refused' | 'bad-answer' | 'answer-too-large' | 'not-configured' | 'no-public-node';

/** The upstream daemon failed a request before or while answering it. */
export class UpstreamError extends VeilnodeError {
  constructor(
    readonly failure: UpstreamFailure,
    message: string,
    context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super('UPSTREAM_UNAVAILABLE', message, { failure, ...context }, options);
  }
}
