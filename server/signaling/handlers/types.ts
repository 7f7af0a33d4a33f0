import type { RequestData, RequestResult, RequestType } from '../../../protocol/index.js';
import type { RequestContext } from '../context.js';

export type Handler<T extends RequestType> = (
  ctx: RequestContext,
  data: RequestData<T>,
) => RequestResult<T> | Promise<RequestResult<T>>;

/** Requests of a signed-in session (`hello` is handled by the connection itself). */
export type SessionRequestType = Exclude<RequestType, 'hello'>;
export type HandlerTable<K extends SessionRequestType> = { [T in K]: Handler<T> };
