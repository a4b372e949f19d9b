// The client's bookkeeping of one connection and its requests in flight.

import type * as net from "node:net";
import type { FrameDecoder, JuteReader, OpCode } from "@paddock/jute";
import type { HostPort } from "./connect-string.js";

export interface Reply {
  zxid: number;
  err: number;
  reader: JuteReader;
}

export interface Pending {
  xid: number;
  type: OpCode;
  /** Encoded frame with a placeholder xid, patched when it is sent. */
  frame: Buffer;
  /** Runs synchronously on the reply, before later frames are processed (watch registration). */
  onReply?: (err: number) => void;
  resolve(reply: Reply): void;
  reject(err: Error): void;
}

export interface AuthEntry {
  scheme: string;
  auth: Buffer;
}

export interface AuthWaiter {
  resolve(): void;
  reject(err: Error): void;
}

export interface Connection {
  socket: net.Socket;
  decoder: FrameDecoder;
  host: HostPort;
  established: boolean;
  handshakeTimer: NodeJS.Timeout | null;
  /** Drops the connection when the server has been silent for the read timeout. */
  recvTimer: NodeJS.Timeout | null;
  /** Sends a ping when nothing has been sent for the ping interval. */
  pingTimer: NodeJS.Timeout | null;
}
