import { Transform, type TransformCallback } from 'node:stream';
import { VeilnodeError } from '@veilnode/plugin-api';

/** A client's request body passed rpc.maxBodyBytes. */
export class BodyTooLargeError extends VeilnodeError {
  constructor(readonly limit: number) {
    super('RPC_BODY_TOO_LARGE', `request body exceeds ${limit} bytes`, { limit });
  }
}

/**
 * Passes a request body on as it arrives and fails once it passes `limit` bytes, so a body piped
 * to the upstream stays bounded by rpc.maxBodyBytes like one that is read whole.
 */
export class BodyLimit extends Transform {
  private size = 0;

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.limit) done(new BodyTooLargeError(this.limit));
    else done(null, chunk);
  }
}
