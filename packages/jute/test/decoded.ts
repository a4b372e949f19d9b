import { asLatin1, OpCode, type Request } from "../src/index.js";

/** A request as readRequest gives it back: values (create, setData) as latin1 strings. */
export function asDecoded(req: Request): Request {
  if (req.type === OpCode.multi || req.type === OpCode.multiRead)
    return { ...req, ops: req.ops.map(asDecoded) };
  if ("data" in req) return { ...req, data: req.data === null ? null : asLatin1(req.data) };
  return req;
}
