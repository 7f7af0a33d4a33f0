import type { RequestData, RequestResult, RequestType } from '../../../protocol/index.js';
import type { RequestContext } from '../context.js';
import type { EncodedResult } from '../encoded-result.js';

/** What a handler answers with: the result, or its JSON when that was encoded already. */
export type HandlerResult<T extends RequestType> =
  RequestResult<T> | EncodedResult<RequestResult<T>>;

export type Handler<T extends RequestType> = (
  ctx: RequestContext,
  data: RequestData<T>,
) => HandlerResult<T> | Promise<HandlerResult<T>>;

/** Requests of a signed-in session (`hello` is handled by the connection itself). */
export type SessionRequestType = Exclude<RequestType, 'hello'>;
export type HandlerTable<K extends SessionRequestType> = { [T in K]: Handler<T> };

/**
 * Where a request is decided (cluster mode: a request for a call another node owns goes to that
 * node; server/cluster implements it). Embedded, every request is decided here.
 */
export interface RequestRouting {
  handlerFor<T extends SessionRequestType>(type: T, local: Handler<T>): Handler<T>;
}
