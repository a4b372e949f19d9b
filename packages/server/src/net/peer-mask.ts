// The mask of frames on peer links a server dials.

/**
 * RFC 6455 has clients mask every frame so that a browser's script cannot steer the bytes an
 * intermediary proxy sees. A peer link is server to server with no script in the loop, and a
 * real mask costs an XOR pass over every proposal on each end; with an all-zero mask ws skips
 * both passes while the frames stay valid WebSocket.
 */
export function zeroMask(mask: Buffer): void {
  mask.fill(0);
}
