/**
 * The signaling protocol version. A client says it in `hello`; the server accepts the versions in
 * SUPPORTED_PROTOCOL_VERSIONS and answers any other with `incompatible-version`.
 * Bump it when a message changes in a way an old peer would misread.
 */
export const PROTOCOL_VERSION = 1;
export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = [1];
