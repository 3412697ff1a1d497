/**
 * A text message framed once for the wire (RFC 6455 section 5.2: FIN + text opcode, the payload length,
 * no mask as a server sends it, then the UTF-8 payload), so a frame that goes to a thousand sockets is
 * encoded once and each socket gets one write of the same bytes. Sending the string through `ws` measured
 * and encoded it again for every socket and wrote header and payload as two chunks.
 */
export interface WireText {
  /** The message as the client will read it. */
  readonly text: string;
  /** The whole WebSocket frame: header and payload. */
  readonly frame: Buffer;
}

const FIN_TEXT = 0x81;
/** Payload lengths past these take a 16-bit or a 64-bit extended length field. */
const SHORT_MAX = 125;
const MEDIUM_MAX = 0xffff;

export function wireText(text: string): WireText {
  const payloadBytes = Buffer.byteLength(text);
  const headerBytes = payloadBytes <= SHORT_MAX ? 2 : payloadBytes <= MEDIUM_MAX ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerBytes + payloadBytes);
  frame[0] = FIN_TEXT;
  if (headerBytes === 2) frame[1] = payloadBytes;
  else if (headerBytes === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(payloadBytes, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(payloadBytes), 2);
  }
  frame.write(text, headerBytes, 'utf8');
  return { text, frame };
}
