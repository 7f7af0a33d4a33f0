import type { JsonText } from '../../protocol/index.js';

/**
 * A request's result whose JSON is at hand already, spliced into the response as it is: the call
 * handlers answer with the call snapshot the engine encoded once for its events (see
 * CallSnapshots). `R` is the request's result type, so a handler cannot answer with the text of
 * something else.
 *
 * The text is taken when the response is sent, not when the handler returns, just as
 * `encodeResult` encoded the result object then: a queue hook's microtask that runs in between
 * (an agent answered: the other agents' offers are withdrawn) is in the answer either way.
 */
export class EncodedResult<R> {
  /** Makes the class nominal: only an EncodedResult is one, not any object with `json`. */
  private readonly brand = true;
  constructor(readonly json: () => JsonText<R>) {}
}
