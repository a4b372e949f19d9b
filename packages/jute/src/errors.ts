/** Raised when bytes cannot be decoded as the expected jute record. */
export class JuteDecodeError extends Error {
  override name = "JuteDecodeError";
}

/** Raised by the frame decoder for a length prefix outside 0..maxBufferBytes. */
export class FrameLengthError extends Error {
  override name = "FrameLengthError";
  constructor(
    readonly lengthBytes: number,
    readonly maxBufferBytes: number,
  ) {
    super(`frame length ${lengthBytes} outside 0..${maxBufferBytes} (jute.maxbuffer)`);
  }
}
