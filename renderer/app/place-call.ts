import type { MediaKind } from '../../protocol/index.js';
import type { SoftphoneApi } from '../../protocol/softphone.js';
import { errorCode, errorMessage } from './api-context.js';
import { notifyError } from './notify.js';

/** Places a call; failures reach the user through the error toast and the outgoing view. */
export async function placeCall(
  api: SoftphoneApi,
  callees: string[],
  media: MediaKind,
): Promise<string | undefined> {
  try {
    const { callId } = await api.call({ callees, media });
    return callId;
  } catch (error) {
    notifyError({ code: errorCode(error), message: errorMessage(error) });
    return undefined;
  }
}
