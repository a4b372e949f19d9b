/** What the client accepts as znode data: bytes, a string (sent as UTF-8), or nothing. */
export type Data = Buffer | Uint8Array | string | null | undefined;
